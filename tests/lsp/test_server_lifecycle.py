"""`gradls server` start-up, advertised capabilities, UTF-8 position encoding, clean shutdown."""

from __future__ import annotations

import sys

import pytest
import pytest_lsp
from lsp_helpers import RecordingClient, make_recording_client, open_document, range_tuple, wait_for_publication
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities

pytestmark = pytest.mark.asyncio

# Non-ASCII before the call: the column of `np.multiply` differs per encoding.
UNICODE_LAYER = """\
import numpy as np
import tensorflow as tf


class Échelle(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        ç = "😀"; return np.multiply(x, self.w)
"""


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "gradls", "server"], client_factory=make_recording_client
    )
)
async def client(lsp_client: RecordingClient, tmp_path):
    caps = client_capabilities("visual-studio-code")
    caps.general = lsp.GeneralClientCapabilities(
        position_encodings=[lsp.PositionEncodingKind.Utf8, lsp.PositionEncodingKind.Utf16]
    )
    lsp_client.init_result = await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=caps, workspace_folders=[lsp.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")]
        )
    )
    lsp_client.root = tmp_path
    yield
    await lsp_client.shutdown_session()
    assert lsp_client._server.returncode == 0


async def test_capabilities_and_utf8_columns(client):
    result = client.init_result
    assert result.server_info.name == "gradls"
    caps = result.capabilities
    assert caps.position_encoding == lsp.PositionEncodingKind.Utf8
    assert caps.text_document_sync.change == lsp.TextDocumentSyncKind.Incremental
    assert set(caps.code_action_provider.code_action_kinds) == {"quickfix", "source.fixAll.gradls", "refactor.rewrite"}
    assert caps.code_action_provider.resolve_provider is True
    assert set(caps.execute_command_provider.commands) == {"gradls.server.checkWorkspace", "gradls.server.runProbe"}
    assert caps.hover_provider
    assert caps.diagnostic_provider is not None

    uri = (client.root / "unicode.py").as_uri()
    open_document(client, uri, UNICODE_LAYER)
    pub = await wait_for_publication(client, uri, version=1)
    line = UNICODE_LAYER.split("\n")[9]
    start_cp = line.index("np.multiply")
    start_utf8 = len(line[:start_cp].encode("utf-8"))
    assert start_utf8 != start_cp
    assert range_tuple(pub.diagnostics[0].range) == (9, start_utf8, 9, start_utf8 + len("np.multiply(x, self.w)"))
