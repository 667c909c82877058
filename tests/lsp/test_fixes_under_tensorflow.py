"""Quick fixes taken from the server and run under TensorFlow: the bug is real, the fix repairs it.

All programs run in ONE TensorFlow subprocess (tfharness), since importing TF costs seconds.
"""

from __future__ import annotations

import pytest
import pytest_lsp
from lsp_helpers import (
    CUSTOM_GRADIENT,
    NUMPY_LAYER,
    SERVER_COMMAND,
    RecordingClient,
    apply_text_edits,
    edits_for,
    make_recording_client,
    open_document,
    wait_for_publication,
)
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(300)]


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_recording_client),
)
async def client(lsp_client: RecordingClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("tf-ws")
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        )
    )
    lsp_client.root = root
    yield
    await lsp_client.shutdown_session()


async def preferred_fix(client, name: str, text: str, code: str) -> str:
    uri = (client.root / name).as_uri()
    open_document(client, uri, text)
    pub = await wait_for_publication(client, uri, version=1)
    diag = next(d for d in pub.diagnostics if d.code == code)
    acts = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=lsp.CodeActionContext(diagnostics=[diag]),
        )
    )
    fix = next(a for a in acts if a.is_preferred and a.title.startswith(f"gradls ({code}):"))
    return apply_text_edits(text, edits_for(fix.edit, uri))


async def test_quick_fixes_repair_the_gradient_under_tensorflow(client):
    from tfharness import run_programs

    fixed_numpy = await preferred_fix(client, "layer.py", NUMPY_LAYER, "TFG001")
    fixed_custom = await preferred_fix(client, "custom.py", CUSTOM_GRADIENT, "TFG004")
    results = run_programs(
        {"numpy": NUMPY_LAYER, "numpy_fixed": fixed_numpy, "custom": CUSTOM_GRADIENT, "custom_fixed": fixed_custom}
    )
    # The fixtures are real bugs...
    assert not results["numpy"].ok or "none" in results["numpy"].result
    assert results["custom"].error_type == "TypeError"
    # ...and the server's fixes repair them: every source gets a real gradient.
    assert results["numpy_fixed"].ok, results["numpy_fixed"].error
    assert results["numpy_fixed"].result == ["ok"]
    assert results["custom_fixed"].ok, results["custom_fixed"].error
    assert results["custom_fixed"].result == ["ok", "ok"]
