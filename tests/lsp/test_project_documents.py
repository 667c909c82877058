"""Open documents are analysed as one program with their project, over a real LSP connection.

`model.py` subclasses `Base` from `layers.py`; whether `self.w = tf.Variable(...)` in `__init__` is
TFG014 depends on `Base` being a Keras 3 layer, so model.py's diagnostics follow the *buffer* of
layers.py: unsaved edits count, and closing the buffer goes back to the file on disk.
"""

from __future__ import annotations

import pytest
from lsp_helpers import (
    RecordingClient,
    change_document,
    lsp_session,
    open_document,
    rng,
    wait_until,
)
from lsprotocol import types as lsp

pytestmark = pytest.mark.asyncio(loop_scope="module")

LAYERS = """\
import tensorflow as tf


class Base(tf.keras.layers.Layer):
    pass
"""
KERAS_BASE = rng(3, 11, 3, 32)  # `tf.keras.layers.Layer` on line 3
PLAIN_BASE = rng(3, 11, 3, 17)  # `object`, once replaced

MODEL = """\
import tensorflow as tf

from layers import Base


class Scale(Base):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(1.0)

    def call(self, x):
        return x * self.w
"""


client = lsp_session("project-ws", options={"settings": {"lint": {"run": "onType"}}, "trusted": True})


def make_project(root, name: str):
    """A project folder (pyproject.toml) holding layers.py, model.py and an importer nobody opens."""
    folder = root / name
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (folder / "layers.py").write_text(LAYERS)
    (folder / "model.py").write_text(MODEL)
    (folder / "unopened.py").write_text(MODEL.replace("Scale", "Other"))
    return folder


def latest(client: RecordingClient, uri: str) -> lsp.PublishDiagnosticsParams | None:
    found = [p for p in client.publications if p.uri == uri]
    return found[-1] if found else None


async def wait_codes(client: RecordingClient, uri: str, codes: list[str], what: str) -> lsp.PublishDiagnosticsParams:
    def shown():
        p = latest(client, uri)
        return p if p is not None and [d.code for d in p.diagnostics] == codes else None

    return await wait_until(shown, timeout=30.0, what=what)


async def test_unsaved_edit_of_an_imported_module_rechecks_the_open_importer(client):
    folder = make_project(client.root, "edited")
    layers, model = (folder / "layers.py").as_uri(), (folder / "model.py").as_uri()
    open_document(client, layers, LAYERS)
    open_document(client, model, MODEL)
    pub = await wait_codes(client, model, ["TFG014"], "TFG014 in model.py (Base is a Keras layer)")
    assert pub.version == 1
    assert pub.diagnostics[0].range.start.line == 8  # self.w = tf.Variable(...)

    # layers.py edited, not saved: Base is a plain class, so Scale is no Keras layer.
    change_document(client, layers, 2, KERAS_BASE, "object")
    pub = await wait_codes(client, model, [], "model.py re-checked without TFG014")
    assert pub.version == 1  # model.py itself never changed

    change_document(client, layers, 3, PLAIN_BASE, "tf.keras.layers.Layer")
    pub = await wait_codes(client, model, ["TFG014"], "TFG014 back in model.py")
    assert pub.version == 1

    # A half-typed layers.py does not parse: model.py keeps what the last good text said.
    change_document(client, layers, 4, rng(4, 4, 4, 8), "pas(")
    await wait_until(
        lambda: (p := latest(client, layers)) is not None and p.version == 4, timeout=30.0, what="layers.py v4"
    )
    assert [d.code for d in latest(client, model).diagnostics] == ["TFG014"]
    change_document(client, layers, 5, rng(4, 4, 4, 8), "pass")

    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=model)))
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=layers)))
    await wait_until(lambda: (p := latest(client, layers)) is not None and p.version is None, what="layers closed")
    # Files nobody opened are never checked for an edit (only the workspace check does that).
    assert not [p for p in client.publications if p.uri == (folder / "unopened.py").as_uri()]


async def test_closing_an_edited_module_falls_back_to_the_file_on_disk(client):
    folder = make_project(client.root, "closed")
    layers, model = (folder / "layers.py").as_uri(), (folder / "model.py").as_uri()
    # The buffer says Base is a plain class before model.py is even opened.
    open_document(client, layers, LAYERS.replace("tf.keras.layers.Layer", "object"))
    await wait_until(lambda: latest(client, layers) is not None, timeout=30.0, what="layers.py analysed")
    open_document(client, model, MODEL)
    pub = await wait_codes(client, model, [], "model.py sees the buffer of layers.py")
    assert pub.version == 1

    # Closed without saving: the file on disk (a Keras layer) is layers.py again.
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=layers)))
    pub = await wait_codes(client, model, ["TFG014"], "TFG014 in model.py from layers.py on disk")
    assert pub.version == 1
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=model)))


async def test_untitled_documents_have_no_project(client):
    uri = "untitled:Untitled-1"
    open_document(client, uri, MODEL)
    await wait_until(lambda: latest(client, uri) is not None, timeout=30.0, what="untitled analysed")
    assert [d.code for d in latest(client, uri).diagnostics] == []  # `layers` resolves to nothing: silent
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))


# A Keras layer's `call` parameter holds what its callers pass (ProjectIndex.users): the layer's module depends on
# the module calling it, the other way round from an import.
EMBEDDING = """\
import tensorflow as tf


class TimestepEmbedding(tf.keras.layers.Layer):
    def call(self, t, dim):
        if dim % 2 != 0:
            t = t * 2.0
        return t
"""
TRAIN = """\
import tensorflow as tf

from embedding import TimestepEmbedding


class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.embed = TimestepEmbedding()

    def call(self, t):
        return self.embed(t, tf.shape(t)[0] + 1)
"""
TENSOR_ARG = rng(11, 29, 11, 47)  # `tf.shape(t)[0] + 1`


async def test_unsaved_edit_of_a_caller_rechecks_the_open_layer_module(client):
    folder = client.root / "callers"
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (folder / "embedding.py").write_text(EMBEDDING)
    (folder / "train.py").write_text(TRAIN)
    embedding, train = (folder / "embedding.py").as_uri(), (folder / "train.py").as_uri()
    assert TRAIN.splitlines()[11][29:47] == "tf.shape(t)[0] + 1"
    open_document(client, embedding, EMBEDDING)
    open_document(client, train, TRAIN)
    pub = await wait_codes(client, embedding, ["TFG003"], "TFG003 in embedding.py (train.py passes a tensor)")
    assert pub.diagnostics[0].range.start.line == 5

    # train.py edited, not saved: it passes a Python int, which stays a Python value when Keras traces `call`.
    change_document(client, train, 2, TENSOR_ARG, "7")
    pub = await wait_codes(client, embedding, [], "embedding.py re-checked without TFG003")
    assert pub.version == 1  # embedding.py itself never changed

    change_document(client, train, 3, rng(11, 29, 11, 30), "tf.shape(t)[0] + 1")
    await wait_codes(client, embedding, ["TFG003"], "TFG003 back in embedding.py")
    for uri in (train, embedding):
        client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
        )
