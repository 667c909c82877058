"""LSP soak (CI size): 10,000 incremental edits to a 5,000-line file through a pytest-lsp session.

No crash, no stale diagnostics (the published set equals a fresh `analyze()` of the client's
text, by code and range, at every 5th checkpoint and at the end), code actions and hovers served
for the current version, and the server's RSS flat. The longer run: `bench/soak_lsp.py`.
"""

from __future__ import annotations

import pytest
import pytest_lsp
from lsp_helpers import SERVER_COMMAND, RecordingClient, make_recording_client
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities
from soakkit import run_soak

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(300)]

EDITS = 10_000
LINES = 5_000
# RSS may grow this much between the first checkpoint (everything loaded, first analysis done)
# and the last one; a leak of even 1 KB per edit would exceed it.
RSS_GROWTH_BOUND_MIB = 40


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_recording_client),
)
async def client(lsp_client: RecordingClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("soak-ws")
    await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="ws")],
            initialization_options={"settings": {"lint": {"run": "onType"}}},
        )
    )
    lsp_client.root = root
    yield
    await lsp_client.shutdown_session()


async def test_ten_thousand_edits_leave_no_stale_diagnostics_and_flat_memory(client):
    uri = (client.root / "big_model.py").as_uri()
    stats = await run_soak(client, uri, edits=EDITS, lines=LINES, burst=1000, compare_every=3)
    print("soak:", stats.as_dict())
    assert stats.edits >= EDITS
    assert stats.full_comparisons >= 4
    assert stats.final_diagnostics > 0  # the comparison was not trivially empty
    assert stats.code_actions_returned > 0 and stats.hovers > 0
    growth = (stats.rss_kib[-1] - stats.rss_kib[0]) / 1024
    assert growth < RSS_GROWTH_BOUND_MIB, f"server RSS grew {growth:.1f} MiB over {EDITS} edits: {stats.as_dict()}"
    assert max(stats.rss_kib) / 1024 < stats.rss_kib[0] / 1024 + 2 * RSS_GROWTH_BOUND_MIB
    errors = [m for m in client.log_messages if m.type == lsp.MessageType.Error]
    assert not errors, errors[0].message
    info = await client.protocol.send_request_async("gradls/serverInfo", {})
    get = (lambda k: info[k]) if isinstance(info, dict) else (lambda k: getattr(info, k))
    assert get("openDocuments") >= 1 and not get("tensorflowImported")
