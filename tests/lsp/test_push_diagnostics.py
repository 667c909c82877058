"""Push diagnostics against the real server process (`python -m gradls`), as a VS Code 1.65 client."""

from __future__ import annotations

import pytest
from lsp_helpers import (
    CUSTOM_GRADIENT,
    NUMPY_CALL,
    NUMPY_LAYER,
    change_document,
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


def _push_only_capabilities() -> lsp.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    assert caps.text_document.diagnostic is None  # this client cannot pull: the server must push
    return caps


client = lsp_session(
    "push-ws", capabilities=_push_only_capabilities, options={"settings": {"lint": {"run": "onType"}}, "trusted": True}
)


async def test_numpy_call_in_layer_is_reported_with_precise_range(client):
    uri = (client.root / "layer.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    pub = await wait_for_publication(client, uri, version=1)
    assert [d.code for d in pub.diagnostics] == ["TFG001"]
    d = pub.diagnostics[0]
    assert range_tuple(d.range) == NUMPY_CALL  # the call, not the whole line
    assert d.source == "gradls"
    assert d.severity == lsp.DiagnosticSeverity.Warning
    assert "np.multiply" in d.message
    from gradls.analysis.rules import get_rule

    doc = get_rule("TFG001").doc_path
    if doc.is_file():  # the rule's page, as a file URI (no dead link while a page is missing)
        assert d.code_description is not None and d.code_description.href == doc.resolve().as_uri()
    else:
        assert d.code_description is None


async def test_custom_gradient_without_variables_is_reported(client):
    uri = (client.root / "custom.py").as_uri()
    open_document(client, uri, CUSTOM_GRADIENT)
    pub = await wait_for_publication(client, uri, version=1)
    assert [d.code for d in pub.diagnostics] == ["TFG004"]


async def test_findings_survive_a_half_typed_line_elsewhere_and_move_with_inserted_lines(client):
    uri = (client.root / "typing.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    await wait_for_publication(client, uri, version=1)
    # Two new lines at the top, the second one half-typed: the file stops parsing.
    start = len(client.publications)
    change_document(client, uri, 2, rng(0, 0, 0, 0), "import os\nx = (\n")
    pub = await wait_for_publication(client, uri, version=2, start=start)
    # The kept finding, and the error saying why the file is not analysed now.
    assert [d.code for d in pub.diagnostics] == ["TFG001", None]
    l1, c1, l2, c2 = NUMPY_CALL
    assert range_tuple(pub.diagnostics[0].range) == (l1 + 2, c1, l2 + 2, c2)
    assert pub.diagnostics[1].severity == lsp.DiagnosticSeverity.Error
    assert range_tuple(pub.diagnostics[1].range) == (1, 4, 1, 5)  # `x = (`: "'(' was never closed"
    # Half-typing on the finding's own line: its squiggle goes, since that line changed.
    start = len(client.publications)
    change_document(client, uri, 3, rng(l1 + 2, c2, l1 + 2, c2), " +")
    pub = await wait_for_publication(client, uri, version=3, start=start)
    assert [d.code for d in pub.diagnostics] == [None]
    # Repair everything: a fresh analysis brings it back.
    start = len(client.publications)
    change_document(client, uri, 4, rng(l1 + 2, c2, l1 + 2, c2 + 2), "")
    change_document(client, uri, 5, rng(1, 0, 2, 0), "")
    pub = await wait_for_publication(client, uri, version=5, start=start)
    assert [range_tuple(d.range) for d in pub.diagnostics] == [(l1 + 1, c1, l2 + 1, c2)]


async def test_results_are_published_for_the_newest_version_only(client):
    uri = (client.root / "burst.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    await wait_for_publication(client, uri, version=1)
    start = len(client.publications)
    for v in range(2, 12):  # a burst of keystrokes in a comment at the end
        change_document(client, uri, v, rng(17, 0, 17, 0), "#")
    await wait_for_publication(client, uri, version=11, start=start)
    versions = [p.version for p in client.publications[start:] if p.uri == uri]
    assert versions == sorted(versions)  # never an older version after a newer one
    assert len(versions) < 10  # debounced


async def test_close_clears_diagnostics(client):
    uri = (client.root / "closing.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    await wait_for_publication(client, uri, version=1)
    start = len(client.publications)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    pub = await wait_for_publication(client, uri, start=start)
    assert list(pub.diagnostics) == []


async def test_non_python_and_huge_documents_are_skipped_with_a_log_line(client):
    txt = (client.root / "notes.txt").as_uri()
    open_document(client, txt, NUMPY_LAYER, language_id="plaintext")
    huge = (client.root / "huge.py").as_uri()
    open_document(client, huge, NUMPY_LAYER + "#" * 1_100_000 + "\n")
    await wait_until(
        lambda: (
            sum("skipping" in m.message and (txt in m.message or huge in m.message) for m in client.log_messages) == 2
        ),
        what="skip log lines",
    )
    assert all(not client.diagnostics.get(u) for u in (txt, huge))


async def test_hover_on_a_finding_explains_the_rule(client):
    uri = (client.root / "hover.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    await wait_for_publication(client, uri, version=1)
    l1, c1, _, _ = NUMPY_CALL
    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=l1, character=c1 + 4)
        )
    )
    assert hover is not None
    assert "TFG001" in hover.contents.value
    from gradls.analysis.rules import get_rule

    assert get_rule("TFG001").summary in hover.contents.value
    assert "NotImplementedError" in hover.contents.value  # the TF error the rule prevents (its "Why")
    nothing = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=1))
    )
    assert nothing is None


async def test_startup_logs_versions_and_effective_settings(client):
    messages = [m.message for m in client.log_messages]
    assert any("gradls 0." in m and "Python 3." in m for m in messages)
    assert any(m.startswith("effective editor settings:") and '"run": "onType"' in m for m in messages)


async def test_pyproject_watcher_is_registered_dynamically(client):
    await wait_until(lambda: client.registrations, what="client/registerCapability")
    reg = client.registrations[0]
    assert reg.method == lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert [w["globPattern"] for w in reg.register_options["watchers"]] == ["**/pyproject.toml"]


async def test_keystrokes_do_not_accumulate_request_futures(client):
    # pygls keeps one finished Future per didChange unless the server drops them (memory over a session).
    uri = (client.root / "many_edits.py").as_uri()
    open_document(client, uri, "x = 1\n")
    for v in range(2, 302):
        change_document(client, uri, v, rng(0, 0, 0, 0), "#")
    await wait_for_publication(client, uri, version=301)
    info = await client.protocol.send_request_async("gradls/serverInfo", {})
    assert info.trackedRequestFutures < 70
