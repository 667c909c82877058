// Extension-host tests in a trusted workspace (tests/vscode/fixture/trusted, copied fresh for each run).
const assert = require('assert');
const { vscode, log, waitFor, folderUri, open, diagnostics, codeOf, api, applyAction, codeActions, runSuite } = require('../lib');

const CODE = 'TFG001';

async function oneFinding(doc) {
  const ds = await waitFor(() => {
    const d = diagnostics(doc.uri);
    return d.length === 1 && d;
  }, `one gradls diagnostic in ${doc.fileName}`, 60000);
  return ds[0];
}

exports.run = async function run() {
  const gradls = await api();
  const tests = [
    ['server starts with the configured interpreter and the bundled libraries', async () => {
      assert.strictEqual(await gradls.ready(), 'running');
      const server = gradls.server();
      const configured = vscode.workspace.getConfiguration('gradls').get('interpreter');
      log(`server: ${JSON.stringify({ choice: server.choice, version: server.info.version, plan: server.plan })}`);
      assert.strictEqual(server.choice.source, 'gradls.interpreter');
      assert.deepStrictEqual(server.choice.command, configured);
      assert.ok(server.info.version[0] === 3 && server.info.version[1] >= 10);
      assert.strictEqual(server.plan.source, 'bundled');
      assert.strictEqual(server.plan.libcst, true, 'bundled libcst matches this interpreter');
    }, { fatal: true }],
    ['diagnostics: code, source, range', async () => {
      const doc = await open('scale_layer.py');
      const d = await oneFinding(doc);
      log(`diagnostic: ${JSON.stringify({ code: codeOf(d), message: d.message, range: [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character], severity: d.severity })}`);
      assert.strictEqual(codeOf(d), CODE);
      assert.strictEqual(d.source, 'gradls');
      assert.strictEqual(d.range.start.line, 9);
      assert.strictEqual(d.range.start.character, 15);
      assert.ok(doc.getText(d.range).startsWith('np.multiply'), `range covers ${JSON.stringify(doc.getText(d.range))}`);
      assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    }],
    ['quick fix through vscode.executeCodeActionProvider', async () => {
      const doc = await open('quickfix.py');
      const d = await oneFinding(doc);
      const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      log(`quick fixes: ${JSON.stringify(actions.map((a) => [a.title, a.kind && a.kind.value, a.isPreferred]))}`);
      const fix = actions.find((a) => a.title.startsWith(`gradls (${CODE}):`) && !a.title.includes('Disable'));
      assert.ok(fix, 'a gradls quick fix is offered');
      await applyAction(fix);
      const line = doc.lineAt(9).text;
      log(`after fix: ${JSON.stringify(line)}`);
      assert.ok(!line.includes('np.multiply'), line);
      assert.match(line, /tf\.(math\.)?multiply\(x, self\.w\)/);
      await waitFor(() => diagnostics(doc.uri).length === 0, 'diagnostics cleared after the fix');
      await doc.save();
    }],
    ['"Disable for this line" adds a suppression comment', async () => {
      const doc = await open('disable_line.py');
      const d = await oneFinding(doc);
      const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      const disable = actions.find((a) => a.title === `gradls (${CODE}): Disable for this line`);
      assert.ok(disable, `offered: ${actions.map((a) => a.title)}`);
      await applyAction(disable);
      const line = doc.lineAt(9).text;
      log(`after disable: ${JSON.stringify(line)}`);
      assert.match(line, /np\.multiply\(x, self\.w\)\s+# gradls: ignore\[TFG001\]/);
      await waitFor(() => diagnostics(doc.uri).length === 0, 'diagnostic suppressed');
      await doc.save();
    }],
    ['source.fixAll.gradls fixes every finding', async () => {
      const doc = await open('fix_all.py');
      await waitFor(() => diagnostics(doc.uri).length === 2, 'two diagnostics', 60000);
      const all = new vscode.Range(0, 0, doc.lineCount, 0);
      const actions = await codeActions(doc.uri, all, 'source.fixAll.gradls');
      log(`fix-all actions: ${JSON.stringify(actions.map((a) => [a.title, a.kind && a.kind.value]))}`);
      const fixAll = actions.find((a) => a.kind && a.kind.value === 'source.fixAll.gradls');
      assert.ok(fixAll, 'source.fixAll.gradls offered');
      await applyAction(fixAll);
      assert.ok(!doc.getText().includes('np.multiply'), doc.getText());
      await waitFor(() => diagnostics(doc.uri).length === 0, 'no diagnostics after fix-all');
      await doc.save();
    }],
    ['editor.codeActionsOnSave runs source.fixAll.gradls on save', async () => {
      await vscode.workspace
        .getConfiguration('editor', { languageId: 'python' })
        .update('codeActionsOnSave', { 'source.fixAll.gradls': 'explicit' }, vscode.ConfigurationTarget.Workspace, true);
      try {
        const doc = await open('fix_on_save.py');
        await oneFinding(doc);
        const editor = vscode.window.activeTextEditor;
        await editor.edit((e) => e.insert(new vscode.Position(doc.lineCount, 0), '\n'));
        await vscode.commands.executeCommand('workbench.action.files.save');
        await waitFor(() => !doc.getText().includes('np.multiply') && !doc.isDirty, 'fix applied on save', 30000);
        log(`after save: ${JSON.stringify(doc.lineAt(9).text)}`);
        await waitFor(() => diagnostics(doc.uri).length === 0, 'no diagnostics after save');
      } finally {
        await vscode.workspace
          .getConfiguration('editor', { languageId: 'python' })
          .update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace, true);
      }
    }],
    ['settings: severity map and ignore list apply without a restart', async () => {
      const doc = await open('settings_case.py');
      await oneFinding(doc);
      const config = vscode.workspace.getConfiguration('gradls');
      try {
        await config.update('severity', { TFG0: 'error' }, vscode.ConfigurationTarget.Workspace);
        await waitFor(() => {
          const d = diagnostics(doc.uri);
          return d.length === 1 && d[0].severity === vscode.DiagnosticSeverity.Error;
        }, 'TFG001 reported as an error (prefix TFG0)');
        await config.update('ignore', [CODE], vscode.ConfigurationTarget.Workspace);
        await waitFor(() => diagnostics(doc.uri).length === 0, 'TFG001 ignored');
      } finally {
        await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
        await config.update('ignore', undefined, vscode.ConfigurationTarget.Workspace);
      }
      const back = await oneFinding(doc);
      assert.strictEqual(back.severity, vscode.DiagnosticSeverity.Warning);
    }],
    ['rule documentation', async () => {
      const markdown = await gradls.ruleDocumentation(CODE);
      assert.match(markdown, /TFG001/);
      const shown = await vscode.commands.executeCommand('gradls.showRuleDocumentation', CODE);
      assert.strictEqual(shown, markdown);
    }],
    ['gradient probe command: gradls-probe diagnostics and status', async () => {
      const uri = folderUri('probe_target.py');
      await open('probe_target.py');
      const result = await vscode.commands.executeCommand('gradls.runProbe', uri);
      log(`probe: ${JSON.stringify({ ok: result.ok, reason: result.reason, summary: result.summary, interpreter: result.interpreter })}`);
      assert.ok(result.ok, result.reason);
      assert.ok(result.response.text && result.response.text.length > 0, 'readable report');
      const probe = await waitFor(() => {
        const d = diagnostics(uri, 'gradls-probe');
        return d.length > 0 && d;
      }, 'gradls-probe diagnostics', 30000);
      log(`probe diagnostics: ${JSON.stringify(probe.map((d) => [codeOf(d), d.message.slice(0, 120), d.range.start.line]))}`);
      assert.ok(probe.some((d) => /\bb\b/.test(d.message)), 'the bias b is reported');
      assert.ok(gradls.lastProbe() && gradls.lastProbe().summary, 'status item has the last probe result');
      // None at every step: broken, an Error, and the verdict travels to the client
      assert.ok(probe.some((d) => /\bb\b.*: broken at steps/.test(d.message) && d.severity === vscode.DiagnosticSeverity.Error));
      assert.strictEqual(result.summary.verdict, 'broken');
      assert.strictEqual(result.summary.severity, 'error');
    }],
    ['probe report webview: opened after a broken probe (gradls.probe.openReport), by its command, clicks open lines', async () => {
      // the probe above found a broken gradient, so the default (onProblems) opened the report beside the editor
      const auto = gradls.probeReport();
      log(`report after the probe: ${JSON.stringify({ visible: auto.visible, title: auto.title, uri: auto.uri, html: auto.html && auto.html.length })}`);
      assert.ok(auto.html, 'the report webview was opened after the probe');
      assert.strictEqual(auto.uri, folderUri('probe_target.py').toString());
      const shown = await vscode.commands.executeCommand('gradls.showProbeReport');
      assert.ok(shown && shown.visible, 'the command shows the panel');
      assert.strictEqual(shown.title, 'Gradient Probe: probe_target.py');
      // scripts run only with this page's nonce: the CSP names it and the one inline script carries it
      const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(shown.html)[1].replace(/&#x27;/g, "'");
      log(`report CSP: ${csp}`);
      assert.match(csp, /default-src 'none'/);
      assert.strictEqual(/script-src ([^;]+)/.exec(csp)[1].trim(), `'nonce-${shown.nonce}'`);
      assert.ok(shown.html.includes(`<script nonce="${shown.nonce}">`), 'the inline script carries the nonce');
      assert.match(shown.html, /Gradient norms per variable/);
      // the creation line of b (line 6) as the page's link carries it: data-file / data-line
      const link = /<a class="src" data-file="([^"]+)" data-line="(\d+)"[^>]*>[^<]*probe_target\.py:6</.exec(shown.html);
      assert.ok(link, 'a link to probe_target.py:6 in the page');
      const editor = await gradls.openReportLocation({ command: 'open', file: link[1], line: Number(link[2]) });
      assert.ok(editor, 'the line was opened');
      assert.strictEqual(vscode.window.activeTextEditor.document.uri.fsPath, folderUri('probe_target.py').fsPath);
      assert.strictEqual(vscode.window.activeTextEditor.selection.active.line, 5);
      assert.strictEqual(await gradls.openReportLocation({ command: 'open', file: 'relative.py', line: 1 }), undefined);
      await vscode.commands.executeCommand('workbench.action.closeEditorsInOtherGroups');
      await waitFor(() => !gradls.probeReport().visible, 'the report panel closed');
    }],
    ['probe request is cancellable', async () => {
      const source = new vscode.CancellationTokenSource();
      const pending = gradls.sendProbeRequest({ uri: folderUri('probe_target.py').toString(), timeoutSeconds: 60 }, source.token);
      setTimeout(() => source.cancel(), 1500);
      await assert.rejects(pending, 'a cancelled probe rejects');
      // the server reports the cancellation (gradls/probeFinished) and is free for the next probe
      await waitFor(() => gradls.lastProbe() && gradls.lastProbe().status === 'cancelled', 'probeFinished with status cancelled', 20000);
      log(`after cancel: ${JSON.stringify(gradls.lastProbe())}`);
      const refusal = await gradls.sendProbeRequest({ uri: folderUri('no_such_file.py').toString() }).then(() => undefined, (e) => e);
      assert.ok(refusal && !/already running/.test(refusal.message), `server still busy: ${refusal && refusal.message}`);
    }],
    ['notebook: squiggle in the cell, probe on the notebook, quick fix in the cell', async () => {
      const notebook = await vscode.workspace.openNotebookDocument(folderUri('train_notebook.ipynb'));
      await vscode.window.showNotebookDocument(notebook);
      const cells = notebook.getCells();
      const [variables, step] = [cells[2].document, cells[3].document];
      const d = await oneFinding(step);
      log(`cell diagnostic: ${JSON.stringify({ code: codeOf(d), range: [d.range.start.line, d.range.start.character], cell: step.uri.toString() })}`);
      assert.strictEqual(codeOf(d), CODE);
      assert.strictEqual(d.range.start.line, 1);
      assert.ok(step.getText(d.range).startsWith('np.multiply'), step.getText(d.range));
      assert.deepStrictEqual(diagnostics(cells[1].document.uri), [], 'nothing on the %pip magic cell');

      // the probe, asked for from the cell (as the command palette does when a cell has focus)
      const result = await vscode.commands.executeCommand('gradls.runProbe', step.uri);
      log(`probe: ${JSON.stringify({ ok: result.ok, reason: result.reason, summary: result.summary })}`);
      assert.ok(result.ok, result.reason);
      const reported = /train_notebook\.ipynb:cell 4:3 `tape\.gradient` w \(created at train_notebook\.ipynb:cell 3:1\)/;
      assert.ok(reported.test(result.response.text), result.response.text.replace(/\n/g, ' | ').slice(0, 600));
      const atCall = await waitFor(() => {
        const p = diagnostics(step.uri, 'gradls-probe');
        return p.length > 0 && p;
      }, 'gradls-probe diagnostics on the cell of the tape.gradient call', 30000);
      log(`probe diagnostics: ${JSON.stringify(atCall.map((p) => [p.message, p.range.start.line]))}`);
      assert.deepStrictEqual(atCall.map((p) => p.range.start.line), [2]);
      assert.match(atCall[0].message, /^w gets no gradient \(None\) in tape\.gradient at cell 4, line 3/);
      const created = diagnostics(variables.uri, 'gradls-probe');
      assert.deepStrictEqual(created.map((p) => p.range.start.line), [0], 'w created on the first line of cell 3');

      const actions = await codeActions(step.uri, d.range, vscode.CodeActionKind.QuickFix.value);
      log(`cell quick fixes: ${JSON.stringify(actions.map((a) => a.title))}`);
      const fix = actions.find((a) => a.title.startsWith(`gradls (${CODE}):`) && !a.title.includes('Disable'));
      assert.ok(fix, 'a gradls quick fix is offered in the cell');
      await applyAction(fix);
      assert.match(step.lineAt(1).text, /tf\.(math\.)?multiply\(w, x\)/);
      await waitFor(() => diagnostics(step.uri).length === 0, 'the cell squiggle gone after the fix');
      await waitFor(() => diagnostics(step.uri, 'gradls-probe').length === 0, 'the fixed cell\'s probe result is out of date');
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }],
    ['a Python older than 3.10 is refused before launch, and a good one restarts the server', async () => {
      const config = vscode.workspace.getConfiguration('gradls');
      const fake = folderUri('tools/python39').fsPath;
      await config.update('interpreter', [fake], vscode.ConfigurationTarget.Workspace);
      try {
        await waitFor(() => gradls.server() && gradls.server().choice.command[0] === fake && gradls.state() === 'error', 'the 3.9 interpreter refused', 30000);
        assert.deepStrictEqual(gradls.server().info.version, [3, 9, 18]);
        assert.strictEqual(gradls.client(), undefined, 'no server process was started');
      } finally {
        await config.update('interpreter', undefined, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor(() => gradls.state() === 'running' && gradls.server().choice.command[0] !== fake, 'the server back on the user interpreter', 60000);
    }],
    ['restart command brings the server back', async () => {
      await vscode.commands.executeCommand('gradls.restart');
      assert.strictEqual(await gradls.ready(), 'running');
      const doc = await open('scale_layer.py');
      await oneFinding(doc);
    }],
  ];
  await runSuite('trusted', tests);
};
