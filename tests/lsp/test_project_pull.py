"""Pulled diagnostics follow an unsaved edit of an imported module: the server asks for a refresh."""

from __future__ import annotations

import pytest
from lsp_helpers import (
    change_document,
    lsp_session,
    open_document,
    wait_until,
)
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities
from test_project_documents import KERAS_BASE, LAYERS, MODEL, make_project

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _pull_capabilities() -> lsp.ClientCapabilities:
    caps = client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = lsp.DiagnosticClientCapabilities(dynamic_registration=False)
    caps.workspace.diagnostics = lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


client = lsp_session("project-pull-ws", capabilities=_pull_capabilities, options={"trusted": True})


async def pull_codes(client, uri: str) -> list[str]:
    report = await client.text_document_diagnostic_async(
        lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
    )
    return [d.code for d in report.items]


async def test_pulled_importer_is_refreshed_after_an_unsaved_edit(client):
    folder = make_project(client.root, "pulled")
    layers, model = (folder / "layers.py").as_uri(), (folder / "model.py").as_uri()
    open_document(client, layers, LAYERS)
    open_document(client, model, MODEL)
    assert await pull_codes(client, layers) == []
    assert await pull_codes(client, model) == ["TFG014"]

    refreshes = client.diagnostic_refresh_count
    change_document(client, layers, 2, KERAS_BASE, "object")
    assert await pull_codes(client, layers) == []  # the editor pulls the edited document
    await wait_until(lambda: client.diagnostic_refresh_count > refreshes, what="workspace/diagnostic/refresh")
    assert await pull_codes(client, model) == []  # ...and, refreshed, its importer
