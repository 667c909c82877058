"""A file that does not parse says so: one Error diagnostic at the syntax error, gone once it parses.

Over a real connection, for a push client and a pull client.
"""

from __future__ import annotations

import pytest
from lsp_helpers import (
    NUMPY_CALL,
    NUMPY_LAYER,
    change_document,
    lsp_session,
    open_document,
    range_tuple,
    rng,
    wait_for_publication,
)
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

pytestmark = pytest.mark.asyncio(loop_scope="module")

BROKEN = "import tensorflow as tf\n\n\ndef f(x:\n    return x\n"


def _is_parse_failure(d: lsp.Diagnostic) -> bool:
    return d.source == "gradls" and d.code is None


def _check_parse_failure(diags) -> lsp.Diagnostic:
    failures = [d for d in diags if _is_parse_failure(d)]
    assert len(failures) == 1, diags
    d = failures[0]
    assert d.severity == lsp.DiagnosticSeverity.Error
    assert d.message.startswith("gradls cannot analyse this file: ")
    assert "syntax error" in d.message
    return d


push_client = lsp_session("syntax-push", options={"settings": {}})


async def test_pushed_syntax_error_is_one_error_at_its_position_until_the_file_parses(push_client):
    client = push_client
    uri = (client.root / "broken.py").as_uri()
    open_document(client, uri, BROKEN)
    pub = await wait_for_publication(client, uri, version=1)
    d = _check_parse_failure(pub.diagnostics)
    assert d.range.start.line == 3  # `def f(x:` (0-based), the line Python names
    assert len(pub.diagnostics) == 1
    # Closing the parenthesis: the file parses and the diagnostic goes.
    start = len(client.publications)
    change_document(client, uri, 2, rng(3, 7, 3, 7), ")")
    pub = await wait_for_publication(client, uri, version=2, start=start)
    assert list(pub.diagnostics) == []


async def test_findings_are_kept_beside_the_syntax_error_while_typing(push_client):
    client = push_client
    uri = (client.root / "typing.py").as_uri()
    open_document(client, uri, NUMPY_LAYER)
    pub = await wait_for_publication(client, uri, version=1)
    assert [d.code for d in pub.diagnostics] == ["TFG001"]
    start = len(client.publications)
    change_document(client, uri, 2, rng(3, 0, 3, 0), "def broken(:\n")
    pub = await wait_for_publication(client, uri, version=2, start=start)
    _check_parse_failure(pub.diagnostics)
    l1, c1, l2, c2 = NUMPY_CALL
    kept = [range_tuple(d.range) for d in pub.diagnostics if d.code == "TFG001"]
    assert kept == [(l1 + 1, c1, l2 + 1, c2)]
    # Deleting the broken line: only the finding is left.
    start = len(client.publications)
    change_document(client, uri, 3, rng(3, 0, 4, 0), "")
    pub = await wait_for_publication(client, uri, version=3, start=start)
    assert [(d.code, range_tuple(d.range)) for d in pub.diagnostics] == [("TFG001", NUMPY_CALL)]


def _pull_capabilities() -> lsp.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = lsp.DiagnosticClientCapabilities(dynamic_registration=False)
    return caps


pull_client = lsp_session("syntax-pull", capabilities=_pull_capabilities, options={"settings": {}})


async def _pull(client, uri) -> list[lsp.Diagnostic]:
    report = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    return list(report.items)


async def test_pulled_syntax_error_and_its_end(pull_client):
    client = pull_client
    uri = (client.root / "broken.py").as_uri()
    open_document(client, uri, BROKEN)
    d = _check_parse_failure(await _pull(client, uri))
    assert d.range.start.line == 3
    change_document(client, uri, 2, rng(3, 7, 3, 7), ")")
    assert await _pull(client, uri) == []
    # Code actions never offer edits on a text that does not parse, and never fail on this diagnostic.
    change_document(client, uri, 3, rng(3, 7, 3, 8), "")
    diags = await _pull(client, uri)
    _check_parse_failure(diags)
    actions = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=diags[0].range,
            context=lsp.CodeActionContext(diagnostics=diags),
        )
    )
    assert not actions
