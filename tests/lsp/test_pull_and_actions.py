"""Pull diagnostics, code actions, configuration changes and the workspace check over a real connection."""

from __future__ import annotations

import ast
import asyncio
import os
from pathlib import Path

import pytest
from lsp_helpers import (
    CUSTOM_GRADIENT,
    EAGER_NUMPY,
    NUMPY_CALL,
    NUMPY_LAYER,
    apply_text_edits,
    change_document,
    edits_for,
    lsp_session,
    open_document,
    range_tuple,
    rng,
    wait_for_publication,
    wait_until,
)
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

pytestmark = pytest.mark.asyncio(loop_scope="module")

COND_IN_TF_FUNCTION = """\
import tensorflow as tf


@tf.function
def step(x):
    if tf.reduce_sum(x) > 0:
        y = x * 2.0
    else:
        y = x
    return y


def plain(n):
    if n > 0:
        return 1
    return 2
"""


def pull_capabilities() -> lsp.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = lsp.DiagnosticClientCapabilities(
        dynamic_registration=False, related_document_support=False
    )
    caps.workspace.diagnostics = lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    caps.text_document.code_action.resolve_support = lsp.ClientCodeActionResolveOptions(properties=["edit"])
    return caps


client = lsp_session(
    "pull-ws", capabilities=pull_capabilities, options={"settings": {"severity": {"TFG0": "warning"}}, "trusted": True}
)


async def pull(client, uri, previous: str | None = None):
    return await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri), previous_result_id=previous)
    )


async def code_actions(client, uri, r: lsp.Range, diagnostics=(), only=None) -> list[lsp.CodeAction]:
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=r,
            context=lsp.CodeActionContext(diagnostics=list(diagnostics), only=only),
        )
    )
    return list(result or [])


def full_range(text: str) -> lsp.Range:
    lines = text.split("\n")
    return lsp.Range(
        start=lsp.Position(line=0, character=0), end=lsp.Position(line=len(lines) - 1, character=len(lines[-1]))
    )


async def test_pull_reports_findings_and_never_pushes(client):
    uri = (client.root / "layer.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    report = await pull(client, uri)
    assert report.kind == "full"
    assert [(d.code, range_tuple(d.range)) for d in report.items] == [("TFG001", NUMPY_CALL)]
    unchanged = await pull(client, uri, previous=report.result_id)
    assert unchanged.kind == "unchanged"
    assert not [p for p in client.publications if p.uri == uri]  # pull client: nothing pushed for it


async def test_pulled_findings_are_kept_and_shifted_while_the_file_does_not_parse(client):
    uri = (client.root / "halftyped.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    first = await pull(client, uri)
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(start=lsp.Position(line=3, character=0), end=lsp.Position(line=3, character=0)),
                    text="def broken(:\n",
                )
            ],
        )
    )
    second = await pull(client, uri, previous=first.result_id)
    assert second.kind == "full"
    l1, c1, l2, c2 = NUMPY_CALL
    assert [(d.code, range_tuple(d.range)) for d in second.items] == [
        ("TFG001", (l1 + 1, c1, l2 + 1, c2)),
        (None, (3, 11, 3, 12)),  # and where the file stops parsing
    ]
    assert second.items[1].severity == lsp.DiagnosticSeverity.Error
    assert (
        await code_actions(client, uri, second.items[0].range, list(second.items)) == []
    )  # no edit can be checked now


async def test_quickfix_and_disable_for_this_line(client):
    uri = (client.root / "fixme.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    report = await pull(client, uri)
    diag = report.items[0]
    acts = await code_actions(client, uri, diag.range, [diag])
    titles = [a.title for a in acts]
    assert "gradls (TFG001): Replace np.multiply with tf.multiply" in titles
    assert "gradls (TFG001): Disable for this line" in titles
    fix = next(a for a in acts if a.title.endswith("tf.multiply"))
    assert fix.kind == lsp.CodeActionKind.QuickFix and fix.is_preferred is True
    assert fix.diagnostics and fix.diagnostics[0].code == "TFG001"
    fixed = apply_text_edits(NUMPY_LAYER, edits_for(fix.edit, uri))
    assert "tf.multiply(x, self.w)" in fixed and "np.multiply" not in fixed
    ast.parse(fixed)
    edits = edits_for(fix.edit, uri)
    assert len(edits) == 1 and range_tuple(edits[0].range) == NUMPY_CALL  # minimal: only the call

    disable = next(a for a in acts if a.title.endswith("Disable for this line"))
    assert not disable.is_preferred
    silenced = apply_text_edits(NUMPY_LAYER, edits_for(disable.edit, uri))
    assert silenced.split("\n")[9] == "        return np.multiply(x, self.w)  # gradls: ignore[TFG001]"
    # The editor applies it: the diagnostic goes.
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=silenced)],
        )
    )
    assert list((await pull(client, uri)).items) == []


async def test_fix_all_resolves_to_safe_fixes_and_keeps_the_file_parsable(client):
    uri = (client.root / "fixall.py").as_uri()
    text = NUMPY_LAYER.replace("return np.multiply(x, self.w)", "return np.multiply(np.multiply(x, self.w), self.w)")
    open_document(client, uri, text)
    report = await pull(client, uri)
    assert [d.code for d in report.items] == ["TFG001", "TFG001"]
    acts = await code_actions(client, uri, full_range(text), only=["source.fixAll"])
    assert [a.kind for a in acts] == ["source.fixAll.gradls"]
    assert acts[0].edit is None  # built on resolve
    resolved = await client.code_action_resolve_async(acts[0])
    fixed = apply_text_edits(text, edits_for(resolved.edit, uri))
    ast.parse(fixed)
    assert "np.multiply" not in fixed and fixed.count("tf.multiply") == 2
    # Only the changed line is touched.
    assert all(e.range.start.line == 9 and e.range.end.line in (9, 10) for e in edits_for(resolved.edit, uri))


async def test_rewrite_as_tf_cond_is_offered_only_on_tensor_conditions(client):
    uri = (client.root / "cond.py").as_uri()
    open_document(client, uri, COND_IN_TF_FUNCTION)
    await pull(client, uri)
    at = lambda line: lsp.Range(start=lsp.Position(line=line, character=4), end=lsp.Position(line=line, character=4))
    acts = await code_actions(client, uri, at(5), only=[lsp.CodeActionKind.Refactor])
    assert [a.kind for a in acts] == [lsp.CodeActionKind.RefactorRewrite]
    assert "tf.cond" in acts[0].title
    rewritten = apply_text_edits(COND_IN_TF_FUNCTION, edits_for(acts[0].edit, uri))
    ast.parse(rewritten)
    assert "tf.cond(tf.reduce_sum(x) > 0" in rewritten
    assert await code_actions(client, uri, at(13), only=[lsp.CodeActionKind.Refactor]) == []  # `n` is a Python int


KERAS_IF_ELSE = """\
import tensorflow as tf
from tensorflow import keras


class ClipNorm(keras.layers.Layer):
    def call(self, inputs):
        norm = tf.norm(inputs, axis=-1, keepdims=True)
        if tf.reduce_max(norm) > 1.0:
            return inputs / norm
        else:
            return inputs
"""
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python_if_in_keras_layer.py"


async def _lightbulb_at_if(client, uri: str, text: str) -> list[lsp.CodeAction]:
    """What the editor's lightbulb (Ctrl+.) asks for with the cursor on the TFG003 `if`: every kind."""
    report = await pull(client, uri)
    tfg003 = [d for d in report.items if d.code == "TFG003"]
    assert len(tfg003) == 1, [d.code for d in report.items]
    cursor = lsp.Range(start=tfg003[0].range.start, end=tfg003[0].range.start)
    return await code_actions(client, uri, cursor, tfg003)


async def test_the_tf_cond_rewrite_is_in_the_menu_once(client):
    uri = (client.root / "clip_else.py").as_uri()
    open_document(client, uri, KERAS_IF_ELSE)
    acts = await _lightbulb_at_if(client, uri, KERAS_IF_ELSE)
    rewrites = [a for a in acts if "tf.cond" in a.title]
    assert len(rewrites) == 1, [a.title for a in acts]
    assert rewrites[0].kind == lsp.CodeActionKind.QuickFix  # the finding's fix, tied to its diagnostic
    rewritten = apply_text_edits(KERAS_IF_ELSE, edits_for(rewrites[0].edit, uri))
    ast.parse(rewritten)
    assert "return tf.cond(tf.reduce_max(norm) > 1.0" in rewritten
    # Asked for refactorings only (the "Refactor..." menu), the rewrite is there on its own.
    at_if = lsp.Range(start=lsp.Position(line=7, character=8), end=lsp.Position(line=7, character=8))
    refactors = await code_actions(client, uri, at_if, only=[lsp.CodeActionKind.Refactor])
    assert [a.kind for a in refactors] == [lsp.CodeActionKind.RefactorRewrite]


async def test_the_bundled_tfg003_example_offers_the_tf_cond_rewrite_once(client):
    text = EXAMPLE.read_text(encoding="utf-8")
    uri = (client.root / "python_if_in_keras_layer.py").as_uri()
    open_document(client, uri, text)
    acts = await _lightbulb_at_if(client, uri, text)
    rewrites = [a for a in acts if "tf.cond" in a.title]
    assert len(rewrites) == 1, [a.title for a in acts]
    rewritten = apply_text_edits(text, edits_for(rewrites[0].edit, uri))
    ast.parse(rewritten)
    assert "return tf.cond(tf.reduce_max(norm) > 1.0, lambda: inputs / norm, lambda: inputs)\n\n\nmodel" in rewritten


@pytest.mark.timeout(300)
async def test_probe_diagnostics_go_when_the_code_they_point_at_changes(client):
    """The probe runs TensorFlow in a child process (the server's own Python has it)."""
    path = client.root / "probed.py"
    path.write_text(EAGER_NUMPY)
    uri = path.as_uri()
    open_document(client, uri, EAGER_NUMPY)
    report = await pull(client, uri)
    assert [d.code for d in report.items] == ["TFG001"]  # np.multiply on line 7
    start = len(client.publications)
    result = await client.protocol.send_request_async("gradls/runProbe", {"uri": uri, "steps": 1, "device": "cpu"})
    assert result.report.status == "gradient-problems"
    pubs = await wait_until(
        lambda: [p for p in client.publications[start:] if p.uri == uri and p.diagnostics], what="probe diagnostics"
    )
    assert {d.range.start.line for d in pubs[-1].diagnostics} == {7, 3}  # tape.gradient, and where w is created
    # An edit elsewhere moves them.
    start = len(client.publications)
    change_document(client, uri, 2, rng(0, 0, 0, 0), "# probed\n")
    pub = await wait_for_publication(client, uri, version=2, start=start)
    assert {d.range.start.line for d in pub.diagnostics} == {8, 4}
    # The quick fix rewrites line 8 only, the code the probe's facts are about: they go with it.
    report = await pull(client, uri)
    fix = next(
        a for a in await code_actions(client, uri, report.items[0].range, list(report.items)) if "tf." in a.title
    )
    (edit,) = edits_for(fix.edit, uri)
    assert edit.range.start.line == edit.range.end.line == 7
    start = len(client.publications)
    change_document(client, uri, 3, edit.range, edit.new_text)
    pub = await wait_for_publication(client, uri, version=3, start=start)
    assert list(pub.diagnostics) == []
    assert list((await pull(client, uri)).items) == []


async def test_settings_change_refreshes_pulled_diagnostics(client):
    uri = (client.root / "settings.py").as_uri()
    open_document(client, uri, CUSTOM_GRADIENT)
    assert [d.severity for d in (await pull(client, uri)).items] == [lsp.DiagnosticSeverity.Warning]
    refreshes = client.diagnostic_refresh_count
    client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(
            settings={"gradls": {"severity": {"TFG004": "error"}, "lint": {"run": "sometimes"}}}
        )
    )
    await wait_until(lambda: client.diagnostic_refresh_count > refreshes, what="workspace/diagnostic/refresh")
    assert [d.severity for d in (await pull(client, uri)).items] == [lsp.DiagnosticSeverity.Error]
    assert any("gradls.lint.run" in m.message and "sometimes" in m.message for m in client.log_messages)

    # An empty payload: the server asks for the "gradls" section itself.
    client.set_configuration({"ignore": ["TFG004"]}, section="gradls")
    refreshes = client.diagnostic_refresh_count
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await wait_until(lambda: client.diagnostic_refresh_count > refreshes, what="refresh after pulled configuration")
    assert list((await pull(client, uri)).items) == []
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings={"gradls": {}}))


async def test_pyproject_change_is_picked_up(client):
    sub = client.root / "proj"
    sub.mkdir()
    path = sub / "model.py"
    path.write_text(CUSTOM_GRADIENT)
    uri = path.as_uri()
    open_document(client, uri, CUSTOM_GRADIENT)
    await wait_until(lambda: True)
    assert [d.code for d in (await pull(client, uri)).items] == ["TFG004"]
    (sub / "pyproject.toml").write_text('[tool.gradls]\nignore = ["TFG004"]\nbogus = 1\n')
    refreshes = client.diagnostic_refresh_count
    client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[lsp.FileEvent(uri=(sub / "pyproject.toml").as_uri(), type=lsp.FileChangeType.Created)]
        )
    )
    await wait_until(lambda: client.diagnostic_refresh_count > refreshes, what="refresh after pyproject change")
    assert list((await pull(client, uri)).items) == []
    await wait_until(
        lambda: any("bogus" in m.message and "unknown key" in m.message for m in client.log_messages),
        what="config problem log",
    )


async def test_check_workspace_reports_every_file_with_progress(client):
    ws = client.root / "checked"
    ws.mkdir()
    (ws / "a.py").write_text(NUMPY_LAYER)
    (ws / "b.py").write_text("x = 1\n")
    (ws / ".venv").mkdir()
    (ws / ".venv" / "skip.py").write_text(NUMPY_LAYER)
    result = await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="gradls.server.checkWorkspace")
    )
    assert result["cancelled"] is False
    assert result["files"] >= 2
    a_uri = (ws / "a.py").as_uri()
    pub = await wait_until(lambda: [p for p in client.publications if p.uri == a_uri], what="workspace diagnostics")
    assert [d.code for d in pub[-1].diagnostics] == ["TFG001"]
    assert not [p for p in client.publications if p.uri.endswith("skip.py")]
    reports = [
        r for r in client.progress_reports.values() if r and getattr(r[0], "title", "") == "gradls: checking workspace"
    ]
    assert reports and reports[-1][-1].kind == "end"
    # Opening a checked file hands it to pull diagnostics: the pushed set is cleared first.
    start = len(client.publications)
    open_document(client, a_uri, NUMPY_LAYER)
    cleared = await wait_until(lambda: [p for p in client.publications[start:] if p.uri == a_uri], what="push cleared")
    assert list(cleared[0].diagnostics) == []


async def test_server_never_imports_tensorflow(client):
    # After diagnostics, code actions (libcst fixes), fix-all, refactoring and a workspace check:
    info = await client.protocol.send_request_async("gradls/serverInfo", {})
    assert info.tensorflowImported is False
    maps = Path(f"/proc/{info.pid}/maps")
    if maps.exists():
        assert "libtensorflow" not in maps.read_text()
    assert info.pid != os.getpid()


async def test_check_workspace_stops_when_its_progress_is_cancelled(client):
    big = client.root / "many"
    big.mkdir()
    for i in range(400):
        (big / f"m{i:03d}.py").write_text(NUMPY_LAYER)
    before = set(client.progress_reports)
    request = asyncio.ensure_future(
        client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="gradls.server.checkWorkspace"))
    )
    token = await wait_until(
        lambda: next((t for t, r in client.progress_reports.items() if t not in before and r), None),
        what="progress begin",
    )
    client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(request, 60)
    assert result["cancelled"] is True
    assert result["files"] < 400
    assert (
        client.progress_reports[token][-1].kind == "end" and client.progress_reports[token][-1].message == "cancelled"
    )
