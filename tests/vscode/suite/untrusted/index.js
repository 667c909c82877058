// Extension-host tests in Restricted Mode (tests/vscode/fixture/untrusted: its .vscode/settings.json sets a
// bogus workspace interpreter, which must be ignored).
const assert = require('assert');
const { vscode, log, waitFor, folderUri, open, diagnostics, codeOf, api, runSuite } = require('../lib');

exports.run = async function run() {
  const gradls = await api();
  const tests = [
    ['the workspace is untrusted', async () => {
      assert.strictEqual(vscode.workspace.isTrusted, false);
    }],
    ['static checks stay on, with the user-level interpreter (workspace value ignored)', async () => {
      assert.strictEqual(await gradls.ready(), 'running');
      const server = gradls.server();
      log(`server: ${JSON.stringify({ choice: server.choice, python: server.info.version.join('.'), ownGradls: server.info.gradls, plan: server.plan })}`);
      const configured = vscode.workspace.getConfiguration('gradls').inspect('interpreter').globalValue;
      assert.deepStrictEqual(server.choice.command, configured, 'the user-level interpreter');
      assert.ok(!server.choice.command.some((c) => c.includes('nonexistent')), JSON.stringify(server.choice));
      assert.strictEqual(server.plan.source, 'bundled');
      const doc = await open('scale_layer.py');
      const ds = await waitFor(() => {
        const d = diagnostics(doc.uri);
        return d.length === 1 && d;
      }, 'a gradls diagnostic', 60000);
      assert.strictEqual(codeOf(ds[0]), 'TFG001');
    }, { fatal: true }],
    ['the probe command refuses', async () => {
      const result = await vscode.commands.executeCommand('gradls.runProbe', folderUri('probe_target.py'));
      log(`probe command: ${JSON.stringify(result)}`);
      assert.strictEqual(result.ok, false);
      assert.strictEqual(result.refused, true);
      assert.match(result.reason, /Restricted Mode|trust/i);
    }],
    ['the server refuses the probe request too', async () => {
      await assert.rejects(
        gradls.sendProbeRequest({ uri: folderUri('probe_target.py').toString() }),
        (err) => {
          log(`server refusal: ${err.code} ${err.message}`);
          return /trust/i.test(err.message);
        },
      );
      assert.strictEqual(diagnostics(folderUri('probe_target.py'), 'gradls-probe').length, 0);
    }],
  ];
  await runSuite('untrusted', tests);
};
