import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOpenMessage, probeLevel, shouldOpenReport, summarizeProbe, summaryFromNotification } from '../src/common/probe';

test('the server severity decides the notification level: broken is an error, watch a warning', () => {
  assert.equal(probeLevel('gradient-problems', 'error'), 'error');
  assert.equal(probeLevel('ok', 'warning'), 'warning');
  assert.equal(probeLevel('ok', 'information'), 'info');
  // an older server without severity: guessed from the status
  assert.equal(probeLevel('timeout'), 'error');
  assert.equal(probeLevel('ok'), 'info');
});

test('probeFinished becomes the status summary, with the skipped steps and watch items said once', () => {
  const s = summaryFromNotification({
    uri: 'file:///w/train.py',
    status: 'ok',
    summary: 'all gradients ok: 3 gradient computations',
    severity: 'information',
    verdict: 'ok',
    detail: 'loss scaling: step 1 skipped by design',
  });
  assert.equal(s.summary, 'all gradients ok: 3 gradient computations (loss scaling: step 1 skipped by design)');
  assert.equal(s.severity, 'information');
  assert.equal(s.uri, 'file:///w/train.py');
  assert.equal(summaryFromNotification({ uri: 'u', status: 'cancelled' }).summary, 'cancelled');
  assert.equal(summaryFromNotification({ uri: 'u', summary: 'x: 1 broken: b', detail: '1 broken: b' }).summary, 'x: 1 broken: b');
});

test('summarizeProbe keeps the outcome of the response', () => {
  const s = summarizeProbe({ report: { status: 'gradient-problems' }, text: '# report\n', verdict: 'broken', severity: 'error' });
  assert.deepEqual([s.status, s.summary, s.verdict, s.severity], ['gradient-problems', '# report', 'broken', 'error']);
});

test('gradls.probe.openReport', () => {
  const broken = { status: 'gradient-problems', summary: '', verdict: 'broken' };
  const watch = { status: 'ok', summary: '', verdict: 'watch' };
  const ok = { status: 'ok', summary: '', verdict: 'ok' };
  assert.deepEqual([broken, watch, ok].map((s) => shouldOpenReport('onProblems', s)), [true, true, false]);
  assert.deepEqual([broken, watch, ok].map((s) => shouldOpenReport(undefined, s)), [true, true, false]);
  assert.deepEqual([broken, watch, ok].map((s) => shouldOpenReport('never', s)), [false, false, false]);
  assert.deepEqual([broken, watch, ok].map((s) => shouldOpenReport('always', s)), [true, true, true]);
  assert.equal(shouldOpenReport('always', { status: 'cancelled', summary: '' }), false);
});

test('the webview may only ask to open an absolute file at a positive line', () => {
  assert.deepEqual(parseOpenMessage({ command: 'open', file: '/w/train.py', line: 6 }), { file: '/w/train.py', line: 6 });
  assert.deepEqual(parseOpenMessage({ command: 'open', file: '/w/nb.ipynb', line: 1, cell: 3 }), { file: '/w/nb.ipynb', line: 1, cell: 3 });
  assert.deepEqual(parseOpenMessage({ command: 'open', file: 'C:\\w\\train.py', line: 2 }), { file: 'C:\\w\\train.py', line: 2 });
  for (const bad of [
    undefined,
    'open',
    { command: 'run', file: '/w/train.py', line: 6 },
    { command: 'open', file: 'train.py', line: 6 },
    { command: 'open', file: '/w/train.py', line: 0 },
    { command: 'open', file: '/w/train.py', line: 1.5 },
    { command: 'open', file: '/w/train.py', line: '6' },
    { command: 'open', file: '/w/nb.ipynb', line: 1, cell: 0 },
  ]) {
    assert.equal(parseOpenMessage(bad), undefined, JSON.stringify(bad));
  }
});
