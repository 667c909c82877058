"""Shared pieces of the LSP end-to-end tests: a recording client and the session fixture that starts it,
fixture sources, edit application."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest_lsp
from lsprotocol import types as lsp
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

SERVER_COMMAND = [sys.executable, "-m", "gradls"]

# np.multiply on a symbolic tensor inside a Keras layer's call: tracing raises NotImplementedError.
NUMPY_LAYER = """\
import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return np.multiply(x, self.w)


layer = Scale()
x = tf.ones((2, 3))
with tf.GradientTape() as tape:
    y = tf.reduce_sum(layer(x))
RESULT = gradient_status(tape.gradient(y, layer.trainable_variables))
"""
NUMPY_CALL = (9, 15, 9, 37)  # 0-based LSP range of `np.multiply(x, self.w)`, ASCII so all encodings agree

# np.multiply on a watched variable under an eager tape: the probe sees w get no gradient (None).
EAGER_NUMPY = """\
import numpy as np
import tensorflow as tf

w = tf.Variable([1.0, 2.0], name="w")
for step in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(np.multiply(w, w))
    grads = tape.gradient(loss, [w])
"""

# @tf.custom_gradient reading a tf.Variable, grad_fn without `variables`: TF raises TypeError.
CUSTOM_GRADIENT = """\
import tensorflow as tf

v = tf.Variable(2.0)


@tf.custom_gradient
def scaled(x):
    y = x * v

    def grad_fn(dy):
        return dy * v

    return y, grad_fn


x = tf.constant(3.0)
with tf.GradientTape() as tape:
    tape.watch(x)
    out = scaled(x)
RESULT = gradient_status(tape.gradient(out, [x, v]))
"""


class RecordingClient(LanguageClient):
    """pytest-lsp's client, plus every publishDiagnostics with its version, probe notifications, and
    window/showMessageRequest (answered with `message_request_answer`, the title of an action or None)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.publications: list[lsp.PublishDiagnosticsParams] = []
        self.custom_notifications: list[tuple[str, object]] = []
        self.registrations: list[lsp.Registration] = []
        self.message_requests: list[lsp.ShowMessageRequestParams] = []
        self.message_request_answer: str | None = None


def make_recording_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)

    def on_publish(client: RecordingClient, params: lsp.PublishDiagnosticsParams):
        client.publications.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = on_publish

    def on_register(client: RecordingClient, params: lsp.RegistrationParams):
        client.registrations.extend(params.registrations)

    features[lsp.CLIENT_REGISTER_CAPABILITY] = on_register

    def on_message_request(client: RecordingClient, params: lsp.ShowMessageRequestParams):
        client.message_requests.append(params)
        chosen = [a for a in params.actions or [] if a.title == client.message_request_answer]
        return chosen[0] if chosen else None

    features[lsp.WINDOW_SHOW_MESSAGE_REQUEST] = on_message_request
    register_lsp_features(client, features)
    for method in ("gradls/probeStarted", "gradls/probeFinished", "gradls/selectInterpreter"):

        def record(client: RecordingClient, params, _method=method):
            client.custom_notifications.append((_method, params))

        client.feature(method)(record)
    return client


def lsp_session(
    workspace: str,
    *,
    capabilities: Callable[[], lsp.ClientCapabilities] | None = None,
    options: dict[str, Any] | None = None,
):
    """A module-scoped pytest-lsp fixture: `python -m gradls` with a RecordingClient, initialised on a fresh
    workspace folder (`mktemp(workspace)`, also `client.root`) with `capabilities()` (VS Code's by default) and
    `options` as initializationOptions; `client.init_result` is the initialize result.  Shut down cleanly after
    the module.  Use as `client = lsp_session("my-ws", options={...})`: pytest names it after the variable."""

    @pytest_lsp.fixture(
        scope="module", config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=make_recording_client)
    )
    async def session(lsp_client: RecordingClient, tmp_path_factory):
        root = tmp_path_factory.mktemp(workspace)
        lsp_client.init_result = await lsp_client.initialize_session(
            lsp.InitializeParams(
                capabilities=capabilities() if capabilities else client_capabilities("visual-studio-code"),
                workspace_folders=[lsp.WorkspaceFolder(uri=root.as_uri(), name="ws")],
                initialization_options=options,
            )
        )
        lsp_client.root = root
        yield
        await lsp_client.shutdown_session()

    return session


async def wait_until(predicate, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)


async def wait_for_publication(
    client: RecordingClient, uri: str, version: int | None = None, start: int = 0, timeout: float = 10.0
):
    """The first publication for `uri` (at `version`, if given) after index `start` of client.publications."""

    def found():
        for p in client.publications[start:]:
            if p.uri == uri and (version is None or p.version == version):
                return p
        return None

    return await wait_until(found, timeout, f"diagnostics for {uri} v{version}")


def open_document(client: LanguageClient, uri: str, text: str, version: int = 1, language_id: str = "python") -> None:
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=uri, language_id=language_id, version=version, text=text)
        )
    )


def change_document(client: LanguageClient, uri: str, version: int, rng: lsp.Range, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangePartial(range=rng, text=text)],
        )
    )


def rng(l1: int, c1: int, l2: int, c2: int) -> lsp.Range:
    return lsp.Range(start=lsp.Position(line=l1, character=c1), end=lsp.Position(line=l2, character=c2))


def range_tuple(r: lsp.Range) -> tuple[int, int, int, int]:
    return (r.start.line, r.start.character, r.end.line, r.end.character)


def _offset(text: str, pos: lsp.Position) -> int:
    """UTF-16 LSP position -> str index (test documents use UTF-16, the default)."""
    lines = text.splitlines(keepends=True)
    offset = sum(len(line) for line in lines[: pos.line])
    line = lines[pos.line] if pos.line < len(lines) else ""
    units = 0
    for i, ch in enumerate(line):
        if units >= pos.character or ch in "\r\n":
            return offset + i
        units += 2 if ord(ch) > 0xFFFF else 1
    return offset + len(line)


def apply_text_edits(text: str, edits: list[lsp.TextEdit]) -> str:
    resolved = sorted(
        ((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text) for e in edits), reverse=True
    )
    for start, end, new in resolved:
        text = text[:start] + new + text[end:]
    return text


def edits_for(edit: lsp.WorkspaceEdit, uri: str) -> list[lsp.TextEdit]:
    if edit.document_changes:
        return [e for dc in edit.document_changes if dc.text_document.uri == uri for e in dc.edits]
    return list((edit.changes or {}).get(uri, []))
