// Tiny test runner for the extension-host suites (runs INSIDE the real VS Code extension host, where
// `require('vscode')` is the editor's API). Logs "[itest] ..." lines that the driver echoes, and throws at the
// end when anything failed, which makes the workbench exit with code 1.
const vscode = require('vscode');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const log = (msg) => console.log(`[itest +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

async function waitFor(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) {
        return last;
      }
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    }
    await sleep(200);
  }
}

function folderUri(name) {
  return vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, name);
}

async function open(name) {
  const doc = await vscode.workspace.openTextDocument(folderUri(name));
  await vscode.window.showTextDocument(doc);
  return doc;
}

function diagnostics(uri, source = 'gradls') {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === source);
}

function codeOf(d) {
  return typeof d.code === 'object' && d.code ? String(d.code.value) : String(d.code);
}

async function api() {
  const ext = vscode.extensions.getExtension('gradls.gradls');
  if (!ext) {
    throw new Error('extension gradls.gradls not found');
  }
  return ext.activate();
}

/** Applies a code action's edit (resolving it first when the server fills edits lazily) and its command. */
async function applyAction(action) {
  if (action.edit) {
    const ok = await vscode.workspace.applyEdit(action.edit);
    if (!ok) {
      throw new Error(`applyEdit failed for "${action.title}"`);
    }
  }
  if (action.command) {
    await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
  }
}

async function codeActions(uri, range, kind) {
  // the 4th argument resolves that many actions, so edits are present even when the server resolves lazily
  return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind, 50)) || [];
}

async function runSuite(name, tests) {
  let passed = 0;
  const failed = [];
  log(`suite ${name}: ${tests.length} tests`);
  let abort;
  for (const [title, fn, opts] of tests) {
    if (abort) {
      failed.push(title);
      log(`SKIP ${title} (${abort} failed)`);
      continue;
    }
    const start = Date.now();
    try {
      await fn();
      passed++;
      log(`PASS ${title} (${Date.now() - start} ms)`);
    } catch (e) {
      failed.push(title);
      log(`FAIL ${title} (${Date.now() - start} ms): ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
      if (opts && opts.fatal) {
        abort = title;
      }
    }
  }
  log(`suite ${name}: ${passed} passed, ${failed.length} failed`);
  if (failed.length) {
    throw new Error(`${failed.length} failed: ${failed.join('; ')}`);
  }
}

module.exports = { vscode, sleep, log, waitFor, folderUri, open, diagnostics, codeOf, api, applyAction, codeActions, runSuite };
