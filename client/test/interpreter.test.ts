import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseProbeInterpreter, chooseServerInterpreter, probeInterpreterPicker, Serializer } from '../src/common/interpreter';
import { probeLevel, shouldNotify, summarizeProbe } from '../src/common/probe';

test('server interpreter: explicit setting, then the Python extension, then python3', () => {
  assert.deepEqual(
    chooseServerInterpreter({ setting: ['/opt/py/bin/python', '-X', 'utf8'], pythonExtension: '/venv/bin/python', pythonExtensionInstalled: true, trusted: true }).command,
    ['/opt/py/bin/python', '-X', 'utf8'],
  );
  const ext = chooseServerInterpreter({ setting: [], pythonExtension: '/venv/bin/python', pythonExtensionInstalled: true, trusted: true });
  assert.deepEqual(ext.command, ['/venv/bin/python']);
  assert.equal(ext.source, 'python-extension');
  const none = chooseServerInterpreter({ setting: [' '], pythonExtensionInstalled: false, trusted: true });
  assert.deepEqual(none.command, ['python3']);
  assert.match(none.reason, /not installed/);
});

test('Restricted Mode never uses the Python extension (it may point into the untrusted folder)', () => {
  const c = chooseServerInterpreter({ setting: [], pythonExtension: '/untrusted/.venv/bin/python', pythonExtensionInstalled: true, trusted: false });
  assert.deepEqual(c.command, ['python3']);
  assert.match(c.reason, /Restricted Mode/);
});

test('probe interpreter: probe setting > Python extension (per folder) > gradls.interpreter > server', () => {
  assert.deepEqual(chooseProbeInterpreter({ probeSetting: ['/tf/python'], pythonExtension: '/e', serverSetting: ['/s'] }).command, ['/tf/python']);
  assert.deepEqual(chooseProbeInterpreter({ probeSetting: [], pythonExtension: '/e', serverSetting: ['/s'] }).command, ['/e']);
  assert.deepEqual(chooseProbeInterpreter({ probeSetting: [], serverSetting: ['/s'] }).command, ['/s']);
  assert.deepEqual(chooseProbeInterpreter({ probeSetting: [], serverSetting: [], server: ['/srv'] }).command, ['/srv']);
  assert.deepEqual(chooseProbeInterpreter({ probeSetting: [], serverSetting: [] }).command, ['python3']);
});

test('Serializer runs one task at a time and collapses a burst into one queued run', async () => {
  const s = new Serializer();
  const order: string[] = [];
  let release!: () => void;
  const first = s.run(() => new Promise<void>((r) => {
    order.push('first');
    release = r;
  }));
  const q1 = s.run(async () => {
    order.push('queued');
  });
  const q2 = s.run(async () => {
    order.push('queued-duplicate');
  });
  assert.equal(q1, q2);
  release();
  await Promise.all([first, q1, q2]);
  assert.deepEqual(order, ['first', 'queued']);
});

test('probe summaries and notification levels', () => {
  assert.deepEqual(summarizeProbe({ report: { status: 'gradient-problems', summary: 'b gets no gradient' } }), {
    status: 'gradient-problems',
    summary: 'b gets no gradient',
  });
  assert.deepEqual(summarizeProbe({ text: '\n# report title\nmore' }), { status: 'done', summary: '# report title' });
  assert.equal(probeLevel('gradient-problems'), 'warning');
  assert.equal(probeLevel('timeout'), 'error');
  assert.equal(probeLevel('ok'), 'info');
  assert.equal(shouldNotify('off', 'error'), false);
  assert.equal(shouldNotify('onError', 'warning'), false);
  assert.equal(shouldNotify('onWarning', 'warning'), true);
  assert.equal(shouldNotify('always', 'info'), true);
});

test("missing TensorFlow: the button opens the Python extension's picker, or the probe setting that overrides it", () => {
  assert.deepEqual(probeInterpreterPicker([]), { command: 'python.setInterpreter', args: [] });
  assert.deepEqual(probeInterpreterPicker([' ']), { command: 'python.setInterpreter', args: [] });
  assert.deepEqual(probeInterpreterPicker(['/tf/python']), { command: 'workbench.action.openSettings', args: ['gradls.probe.interpreter'] });
});
