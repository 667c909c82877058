import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  INTERPRETER_CHECK_SCRIPT,
  InterpreterInfo,
  joinPythonPath,
  nativeBuilds,
  nativeKey,
  parseInterpreterInfo,
  planServerLaunch,
  unsupportedReason,
} from '../src/common/python';

const info = (over: Partial<InterpreterInfo> = {}): InterpreterInfo => ({
  version: [3, 11, 7],
  executable: '/usr/bin/python3',
  platform: 'linux',
  machine: 'x86_64',
  implementation: 'cpython',
  gradls: false,
  libcst: false,
  ...over,
});

test('parseInterpreterInfo reads the last JSON line, ignoring banners', () => {
  const out = 'some banner\n{"version": [3, 12, 1], "executable": "/x/python", "platform": "linux", "machine": "aarch64", "implementation": "cpython", "gradls": true, "libcst": false}\n';
  const parsed = parseInterpreterInfo(out);
  assert.deepEqual(parsed.version, [3, 12, 1]);
  assert.equal(parsed.executable, '/x/python');
  assert.equal(parsed.gradls, true);
  assert.equal(parsed.libcst, false);
});

test('parseInterpreterInfo rejects output without interpreter information', () => {
  assert.throws(() => parseInterpreterInfo('Python 2.7.18\n'), /no interpreter information/);
  assert.throws(() => parseInterpreterInfo('{"version": "3.11"}'), /bad version/);
});

test('Python >= 3.10 is required', () => {
  assert.equal(unsupportedReason(info({ version: [3, 10, 0] })), undefined);
  assert.equal(unsupportedReason(info({ version: [3, 14, 0] })), undefined);
  assert.match(unsupportedReason(info({ version: [3, 9, 18] })) ?? '', /3\.9\.18 is too old.*>= 3\.10/);
  assert.match(unsupportedReason(info({ version: [2, 7, 18] })) ?? '', /too old/);
});

test('nativeKey names the bundled libcst build for this CPython and platform', () => {
  assert.equal(nativeKey(info()), 'cp311-linux-x86_64');
  assert.equal(nativeKey(info({ version: [3, 13, 0], platform: 'darwin', machine: 'arm64' })), 'cp313-darwin-aarch64');
  assert.equal(nativeKey(info({ platform: 'win32', machine: 'amd64' })), 'cp311-win32-x86_64');
  assert.equal(nativeKey(info({ implementation: 'pypy' })), undefined);
});

test('nativeBuilds lists one key per native.cpython-3XY module', () => {
  const builds = nativeBuilds('linux-x86_64', '/ext/bundled/native/linux-x86_64', [
    '__init__.py',
    'native.cpython-310-x86_64-linux-gnu.so',
    'native.cpython-314-x86_64-linux-gnu.so',
    'native.pyi',
  ]);
  assert.deepEqual([...builds.keys()].sort(), ['cp310-linux-x86_64', 'cp314-linux-x86_64']);
});

test('useBundled puts bundled libs (and the matching libcst build) first', () => {
  const native = new Map([['cp311-linux-x86_64', '/ext/bundled/native/linux-x86_64']]);
  const plan = planServerLaunch({ strategy: 'useBundled', info: info({ gradls: true }), bundledLibs: '/ext/bundled/libs', nativeDirs: native });
  assert.equal(plan.source, 'bundled');
  assert.deepEqual(plan.pythonPath, ['/ext/bundled/libs', '/ext/bundled/native/linux-x86_64']);
  assert.equal(plan.libcst, true);
});

test('useBundled without a matching libcst build degrades and says so', () => {
  const plan = planServerLaunch({ strategy: 'useBundled', info: info({ version: [3, 15, 0] }), bundledLibs: '/b', nativeDirs: new Map() });
  assert.deepEqual(plan.pythonPath, ['/b']);
  assert.equal(plan.libcst, false);
  assert.match(plan.reason, /no libcst for cp315-linux-x86_64.*pip install libcst/);
  const withEnvLibcst = planServerLaunch({ strategy: 'useBundled', info: info({ libcst: true }), bundledLibs: '/b', nativeDirs: new Map() });
  assert.equal(withEnvLibcst.libcst, true);
});

test('fromEnvironment uses the interpreter when it has gradls, else falls back to the bundled copy', () => {
  const own = planServerLaunch({ strategy: 'fromEnvironment', info: info({ gradls: true, libcst: true }), bundledLibs: '/b', nativeDirs: new Map() });
  assert.equal(own.source, 'environment');
  assert.deepEqual(own.pythonPath, []);
  const fallback = planServerLaunch({ strategy: 'fromEnvironment', info: info(), bundledLibs: '/b', nativeDirs: new Map() });
  assert.equal(fallback.source, 'bundled');
  assert.match(fallback.reason, /cannot import gradls: falling back to the bundled copy/);
});

test('joinPythonPath keeps the user PYTHONPATH after ours', () => {
  assert.equal(joinPythonPath(['/a', '/b'], '/c::/d', ':'), '/a:/b:/c:/d');
  assert.equal(joinPythonPath([], undefined, ':'), undefined);
});

test('the check script runs on a real python3 and is not fooled by module files in the working directory', (t) => {
  const python = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) {
    t.skip('no python3 here');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gradls-check-'));
  writeFileSync(join(dir, 're.py'), 'raise SystemExit("shadowed re")\n');
  writeFileSync(join(dir, 'json.py'), 'raise SystemExit("shadowed json")\n');
  const r = spawnSync(python, ['-c', INTERPRETER_CHECK_SCRIPT], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const parsed = parseInterpreterInfo(r.stdout);
  assert.ok(parsed.version[0] === 3);
  assert.ok(parsed.executable.length > 0);
});
