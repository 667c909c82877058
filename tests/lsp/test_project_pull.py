"""Pulled diagnostics follow an unsaved edit of an imported module: the server asks for a refresh."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsp_helpers import (
    SERVER_COMMAND,
    RecordingClient,
    change_document,
    make_recording_client,
    open_document,
    wait_until,
)
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities
from test_project_documents import KERAS_BASE, LAYERS, MODEL, make_project

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_recording_client),
)
async def client(lsp_client: RecordingClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("project-pull-ws")
    caps = client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = lsp.DiagnosticClientCapabilities(dynamic_registration=False)
    caps.workspace.diagnostics = lsp.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=caps,
            workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options={"trusted": True},
        )
    )
    lsp_client.root = root
    yield
    await lsp_client.shutdown_session()


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
