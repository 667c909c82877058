import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildServerSettings, classifyConfigChange, normalizeSeverity, resolveProbeCwd, resolveVariables } from '../src/common/settings';

const getter = (values: Record<string, unknown>) => <T>(key: string) => values[key] as T | undefined;

test('defaults match the documented server contract', () => {
  assert.deepEqual(buildServerSettings(getter({})), {
    enable: true,
    select: [],
    ignore: [],
    severity: {},
    lint: { run: 'onType' },
    exclude: [],
    showNotifications: 'off',
    probe: { timeoutSeconds: 120, steps: 3, device: 'auto', warmWorker: false },
  });
});

test('values are normalised and bad ones fall back to defaults', () => {
  const s = buildServerSettings(
    getter({
      enable: false,
      select: ['tfg0', ' ', 3],
      ignore: ['TFG003'],
      severity: { tfg001: 'Error', TFG0: 'warn', TFG9: 'loud' },
      'lint.run': 'onSave',
      'probe.timeoutSeconds': -1,
      'probe.steps': 2.6,
      'probe.device': 'tpu',
      showNotifications: 'always',
    }),
    '/venv/bin/python',
  );
  assert.equal(s.enable, false);
  assert.deepEqual(s.select, ['TFG0']);
  assert.deepEqual(s.ignore, ['TFG003']);
  assert.deepEqual(s.severity, { TFG001: 'error', TFG0: 'warning' });
  assert.equal(s.lint.run, 'onSave');
  assert.deepEqual(s.probe, { interpreter: '/venv/bin/python', timeoutSeconds: 120, steps: 3, device: 'auto', warmWorker: false });
  assert.equal(s.showNotifications, 'always');
});

test('normalizeSeverity reports what it drops', () => {
  const { severity, invalid } = normalizeSeverity({ TFG001: 'hint', TFG002: 'fatal', TFG003: 7 });
  assert.deepEqual(severity, { TFG001: 'hint' });
  assert.deepEqual(invalid, ['TFG002="fatal"', 'TFG003=7']);
  assert.deepEqual(normalizeSeverity(['error']).severity, {});
});

test('interpreter and importStrategy changes restart; rule settings are re-sent', () => {
  const only = (key: string) => (section: string) => key === section || key.startsWith(`${section}.`);
  assert.equal(classifyConfigChange(only('gradls.interpreter')), 'restart');
  assert.equal(classifyConfigChange(only('gradls.importStrategy')), 'restart');
  assert.equal(classifyConfigChange(only('gradls.severity')), 'resend');
  assert.equal(classifyConfigChange(only('gradls.probe.steps')), 'resend');
  assert.equal(classifyConfigChange(only('gradls.lint.run')), 'resend');
  assert.equal(classifyConfigChange(only('editor.fontSize')), 'none');
});

test('resolveVariables expands editor variables', () => {
  const ctx = {
    userHome: '/home/u',
    workspaceFolder: '/ws/a',
    workspaceFolders: { b: '/ws/b' },
    env: { VENV: '/opt/venv' },
  };
  assert.deepEqual(
    resolveVariables(['${workspaceFolder}/.venv/bin/python', '${workspaceFolder:b}/py', '~/py', '${userHome}/x', '${env:VENV}/bin/python', '${env:MISSING}y'], ctx),
    ['/ws/a/.venv/bin/python', '/ws/b/py', '/home/u/py', '/home/u/x', '/opt/venv/bin/python', 'y'],
  );
  assert.deepEqual(resolveVariables(['${workspaceFolder}/p'], { userHome: '/h' }), ['${workspaceFolder}/p']);
});

test('gradls.probe.cwd: editor variables expanded, the server keeps ${workspaceFolder} and ${fileDirname}', () => {
  const ctx = { userHome: '/home/u', workspaceFolder: '/w', workspaceFolders: { data: '/d' }, env: { RUNS: '/runs' } };
  assert.equal(resolveProbeCwd('', ctx), undefined);
  assert.equal(resolveProbeCwd(undefined, ctx), undefined);
  assert.equal(resolveProbeCwd(' ${workspaceFolder}/runs ', ctx), '${workspaceFolder}/runs');
  assert.equal(resolveProbeCwd('${fileDirname}', ctx), '${fileDirname}');
  assert.equal(resolveProbeCwd('${env:RUNS}/a', ctx), '/runs/a');
  assert.equal(resolveProbeCwd('${workspaceFolder:data}', ctx), '/d');
  assert.equal(resolveProbeCwd('~/exp', ctx), '/home/u/exp');
  assert.equal(resolveProbeCwd('data', ctx), 'data');
  assert.deepEqual(buildServerSettings(getter({ 'probe.cwd': 'x' })).probe.cwd, 'x');
  assert.deepEqual(buildServerSettings(getter({}), undefined, '${fileDirname}').probe.cwd, '${fileDirname}');
  assert.equal('cwd' in buildServerSettings(getter({ 'probe.cwd': '  ' })).probe, false);
});
