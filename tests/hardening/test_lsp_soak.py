"""LSP soak (CI size): 10,000 incremental edits to a 5,000-line file through a pytest-lsp session.

No crash, no stale diagnostics (the published set equals a fresh `analyze()` of the client's
text, by code and range, at every 5th checkpoint and at the end), code actions and hovers served
for the current version, and the server's RSS flat. The longer run: `bench/soak_lsp.py`.
"""

from __future__ import annotations

import statistics

import pytest
import pytest_lsp
from lsp_helpers import SERVER_COMMAND, RecordingClient, make_recording_client
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities
from soakkit import run_soak

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(300)]

EDITS = 10_000
LINES = 5_000
# A leak grows RSS with every edit; warm-up (allocator arenas, interned names, caches filling) is over
# in the first few thousand. So the bound is on the second half of the run, from the middle checkpoint
# to the last one (5,000 edits): a leak of 4 KB per edit exceeds it. The whole run gets a looser
# ceiling, so warm-up that never ends fails too.
LATE_GROWTH_BOUND_MIB = 20
RSS_GROWTH_BOUND_MIB = 60


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
    rss_mib = [round(k / 1024, 1) for k in stats.rss_kib]
    print("soak RSS MiB per checkpoint:", rss_mib)
    # Each level is the median of three neighbouring checkpoints: a leak raises all three, while one checkpoint
    # caught mid-burst (a fresh-clone CI run read 129 -> 150 MiB at the last one only) raises one.
    mid = len(rss_mib) // 2
    end_level = statistics.median(rss_mib[-3:])
    late = end_level - statistics.median(rss_mib[mid - 1 : mid + 2])
    assert late < LATE_GROWTH_BOUND_MIB, f"server RSS grew {late:.1f} MiB over the last half of the edits: {rss_mib}"
    growth = end_level - rss_mib[0]
    assert growth < RSS_GROWTH_BOUND_MIB, f"server RSS grew {growth:.1f} MiB over {EDITS} edits: {rss_mib}"
    assert max(rss_mib) < rss_mib[0] + 2 * RSS_GROWTH_BOUND_MIB, rss_mib
    errors = [m for m in client.log_messages if m.type == lsp.MessageType.Error]
    assert not errors, errors[0].message
    info = await client.protocol.send_request_async("gradls/serverInfo", {})
    get = (lambda k: info[k]) if isinstance(info, dict) else (lambda k: getattr(info, k))
    assert get("openDocuments") >= 1 and not get("tensorflowImported")
