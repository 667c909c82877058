"""The server re-analyses only what an edit invalidates, off the event loop, over a real LSP connection.

- An edit of an imported module re-checks the open importers only when the module's project summary
  changed (`Base` stops being a Keras layer), not for an edit that leaves the summary as it was.
- A result computed for an older version of a document is dropped, never published.
- A hover is answered while a long analysis of another document is still running.

The "long" analysis is a generated module of 800 Keras layers (a second or more of analysis here); the
tests rely on the order of events (the hover's answer before that analysis' diagnostics), never on how
long something took.
"""

from __future__ import annotations

import asyncio

import pytest
from lsp_helpers import (
    RecordingClient,
    change_document,
    lsp_session,
    open_document,
    rng,
    wait_for_publication,
)
from lsprotocol import types as lsp

pytestmark = pytest.mark.asyncio(loop_scope="module")

LAYERS = """\
import tensorflow as tf


class Base(tf.keras.layers.Layer):
    def scale(self):
        return 1.0
"""
KERAS_BASE = rng(3, 11, 3, 32)  # `tf.keras.layers.Layer` on line 3
METHOD_BODY = rng(5, 15, 5, 18)  # `1.0` in Base.scale

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

LAYER_BLOCK = """

class Scale{i}(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        h = tf.nn.relu(x) * self.w
        if x.shape[0] == {i}:
            h = h + 1.0
        return np.multiply(h, self.w)
"""
BIG_BLOCKS = 800
BIG = "import numpy as np\nimport tensorflow as tf\n" + "".join(LAYER_BLOCK.format(i=i) for i in range(BIG_BLOCKS))
BIG_END = BIG.count("\n")  # the (empty) last line

# tf.Variable watched by an eager tape: hover over `w` states its facts.
HOVERED = """\
import tensorflow as tf

w = tf.Variable(1.0)
with tf.GradientTape() as tape:
    loss = w * w
grads = tape.gradient(loss, [w])
"""


client = lsp_session("incremental-ws", options={"settings": {"lint": {"run": "onType"}}, "trusted": True})


def make_project(root, name: str):
    folder = root / name
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (folder / "layers.py").write_text(LAYERS)
    (folder / "model.py").write_text(MODEL)
    return folder


def codes(publication: lsp.PublishDiagnosticsParams) -> list[str]:
    return sorted(str(d.code) for d in publication.diagnostics)


async def open_and_wait(client: RecordingClient, uri: str, text: str) -> lsp.PublishDiagnosticsParams:
    start = len(client.publications)
    open_document(client, uri, text)
    return await wait_for_publication(client, uri, 1, start, timeout=60)


def publications_of(client: RecordingClient, uri: str, start: int) -> list[lsp.PublishDiagnosticsParams]:
    return [p for p in client.publications[start:] if p.uri == uri]


async def test_summary_change_republishes_the_importer_and_a_body_edit_does_not(client: RecordingClient):
    folder = make_project(client.root, "summary")
    layers_uri, model_uri = (folder / "layers.py").as_uri(), (folder / "model.py").as_uri()
    await open_and_wait(client, layers_uri, LAYERS)
    model = await open_and_wait(client, model_uri, MODEL)
    assert "TFG014" in codes(model)  # tf.Variable in a Keras layer's __init__: untracked

    # A method body changes; Base is still a Keras layer: the summary is the same, model.py is not re-checked.
    start = len(client.publications)
    change_document(client, layers_uri, 2, METHOD_BODY, "2.0")
    await wait_for_publication(client, layers_uri, 2, start)
    # Quiet period: a re-check would be scheduled right after layers.py's own result.
    await asyncio.sleep(1.0)
    assert publications_of(client, model_uri, start) == []

    # Base stops being a Keras layer: the summary changed, model.py is re-checked and TFG014 goes.
    start = len(client.publications)
    change_document(client, layers_uri, 3, KERAS_BASE, "object")
    await wait_for_publication(client, layers_uri, 3, start)
    republished = await wait_for_publication(client, model_uri, None, start)
    assert republished.version == 1  # model.py's text did not change; its diagnostics did
    assert "TFG014" not in codes(republished)


async def test_a_result_for_an_older_version_is_never_published(client: RecordingClient):
    folder = client.root / "stale"
    folder.mkdir()
    uri = (folder / "big.py").as_uri()
    first = await open_and_wait(client, uri, BIG)
    assert len(first.diagnostics) == BIG_BLOCKS

    start = len(client.publications)
    # v2 adds one more finding; its analysis (a second or more) is running when v3 takes it away again.
    added = LAYER_BLOCK.format(i=BIG_BLOCKS)
    change_document(client, uri, 2, rng(BIG_END, 0, BIG_END, 0), added)
    await asyncio.sleep(0.3)
    end = BIG_END + added.count("\n")
    change_document(client, uri, 3, rng(BIG_END, 0, end, 0), "")
    latest = await wait_for_publication(client, uri, 3, start, timeout=60)
    # Whatever came for this document since the edits: never version 2, and v3 has v3's findings.
    assert [p.version for p in publications_of(client, uri, start) if p.version == 2] == []
    assert len(latest.diagnostics) == BIG_BLOCKS
    # Nothing older arrives afterwards either.
    await asyncio.sleep(0.5)
    assert {p.version for p in publications_of(client, uri, start)} == {3}


async def test_hover_is_answered_while_a_long_analysis_runs(client: RecordingClient):
    folder = client.root / "hover"
    folder.mkdir()
    big_uri, small_uri = (folder / "big.py").as_uri(), (folder / "small.py").as_uri()
    await open_and_wait(client, big_uri, BIG)
    await open_and_wait(client, small_uri, HOVERED)

    start = len(client.publications)
    # An edit of the big module starts its long re-analysis on the analysis thread...
    change_document(client, big_uri, 2, rng(BIG_END, 0, BIG_END, 0), "\nextra = 1\n")
    await asyncio.sleep(0.2)
    # ... and a hover over `w` in the other document is answered before that analysis' diagnostics arrive.
    hover = await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=small_uri), position=lsp.Position(line=2, character=0)
        )
    )
    assert publications_of(client, big_uri, start) == []
    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert "`w`: variable" in hover.contents.value
    await wait_for_publication(client, big_uri, 2, start, timeout=60)
