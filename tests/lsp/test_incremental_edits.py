"""What the server publishes after each edit is what a fresh analysis of the text says, over a real LSP connection.

The server re-parses only the top-level statement an edit touched when it can (lsp/incremental.py) and hands a
document's text to its project only when another document may need it (lsp/documents.py).  This test edits one
document step by step (inside a method, the class's base, imports, a new top-level statement, a suppression
comment, a half-typed line and its repair, lines added and removed), waits for each version's diagnostics and
compares them, code, range and message, with `analyze()` of the client's own copy of the text.  A second
document opened afterwards imports the edited one and must see its latest buffer, summarised or not.
"""

from __future__ import annotations

import pytest
from gradls.analysis import analyze
from lsp_helpers import (
    RecordingClient,
    apply_text_edits,
    change_document,
    lsp_session,
    open_document,
    rng,
    wait_for_publication,
    wait_until,
)
from lsprotocol import types as lsp

pytestmark = pytest.mark.asyncio(loop_scope="module")

client = lsp_session("incremental-edits", options={"settings": {"lint": {"run": "onType"}}, "trusted": True})

DOCUMENT = """\
import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return np.multiply(x, self.w)


def helper(x):
    return x


layer = Scale()
x = tf.ones((2, 3))
with tf.GradientTape() as tape:
    y = tf.reduce_sum(helper(layer(x)))
grads = tape.gradient(y, layer.trainable_variables)
"""

# (what, needle whose start is the edit's start, characters replaced, new text)
EDITS = [
    ("NumPy replaced inside the method", "np.multiply", 2, "tf"),
    ("and back", "tf.multiply(x, self.w)", 2, "np"),
    ("the class is no Keras layer any more (module facts)", "tf.keras.layers.Layer", 21, "object"),
    ("a Keras layer again", "object", 6, "tf.keras.layers.Layer"),
    ("a half-typed line", "return x\n", 8, "return (x"),
    ("repaired", "return (x", 9, "return x"),
    ("a suppression comment", "np.multiply(x, self.w)", 22, "np.multiply(x, self.w)  # gradls: ignore"),
    ("the comment removed", "  # gradls: ignore", 18, ""),
    ("an import added (a line more)", "import tensorflow as tf\n", 0, "import math\n"),
    ("a new top-level function typed between two", "\n\nlayer = Scale()", 0, "\n\ndef more(t):\n    return np.sum(t)"),
    ("the helper renamed (a top-level name changes)", "def helper", 10, "def helper2"),
    ("its caller follows", "helper(layer", 6, "helper2"),
    ("helper2 made non-differentiable", "    return x\n", 12, "    return tf.argmax(x)\n"),
    ("helper2 differentiable again", "tf.argmax(x)", 12, "x"),
    ("the tape block made a plain block", "with tf.GradientTape() as tape:", 31, "if True:"),
    ("the module's imports rewritten", "import numpy as np\n", 18, "import numpy as onp\nnp = onp\n"),
]


def expected(text: str) -> list[tuple]:
    result = analyze(text)
    assert result.failure is None
    return sorted(
        (f.code, f.span.line - 1, f.span.col, f.span.end_line - 1, f.span.end_col, f.message) for f in result.findings
    )


def published(publication: lsp.PublishDiagnosticsParams) -> list[tuple]:
    return sorted(
        (str(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message)
        for d in publication.diagnostics
        if d.source == "gradls"
    )


def range_of(text: str, needle: str, length: int) -> lsp.Range:
    offset = text.index(needle)
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    end = offset + length
    end_line = text.count("\n", 0, end)
    end_col = end - (text.rfind("\n", 0, end) + 1)
    return rng(line, col, end_line, end_col)


async def test_each_edit_publishes_what_a_fresh_analysis_finds(client: RecordingClient):
    folder = client.root / "edits"
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[project]\nname = "p"\n')
    uri = (folder / "train.py").as_uri()
    text = DOCUMENT
    open_document(client, uri, text)
    first = await wait_for_publication(client, uri, 1, timeout=60)
    assert published(first) == expected(text) != []
    for version, (what, needle, length, new) in enumerate(EDITS, start=2):
        r = range_of(text, needle, length)
        text = apply_text_edits(text, [lsp.TextEdit(range=r, new_text=new)])
        start = len(client.publications)
        change_document(client, uri, version, r, new)
        publication = await wait_for_publication(client, uri, version, start, timeout=60)
        if analyze(text).failure is not None:
            assert any(d.severity == lsp.DiagnosticSeverity.Error for d in publication.diagnostics), what
            continue
        assert published(publication) == expected(text), f"after: {what}"


MODEL = """\
import tensorflow as tf

from layers import Base


class Dense(Base):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(1.0)

    def call(self, x):
        return x * self.w
"""
LAYERS = """\
import tensorflow as tf


class Base(tf.keras.layers.Layer):
    def scale(self):
        return 1.0
"""


async def test_a_document_opened_later_sees_the_latest_buffer_of_the_module_it_imports(client: RecordingClient):
    """layers.py is edited while nothing open imports it (its summary is not computed per keystroke); model.py,
    opened afterwards, is analysed with layers.py's latest buffer, not the file on disk."""
    folder = client.root / "later"
    folder.mkdir()
    (folder / "pyproject.toml").write_text('[project]\nname = "p"\n')
    (folder / "layers.py").write_text(LAYERS)
    (folder / "model.py").write_text(MODEL)
    layers, model = (folder / "layers.py").as_uri(), (folder / "model.py").as_uri()
    open_document(client, layers, LAYERS)
    await wait_for_publication(client, layers, 1, timeout=60)
    start = len(client.publications)
    change_document(client, layers, 2, range_of(LAYERS, "tf.keras.layers.Layer", 21), "object")
    await wait_for_publication(client, layers, 2, start, timeout=60)
    open_document(client, model, MODEL)
    pub = await wait_for_publication(client, model, 1, start, timeout=60)
    assert [d.code for d in pub.diagnostics] == []  # Base is a plain class in the buffer: no TFG014

    # And back, with model.py open: the importer is re-checked.
    start = len(client.publications)
    change_document(
        client,
        layers,
        3,
        range_of(LAYERS.replace("tf.keras.layers.Layer", "object"), "object", 6),
        "tf.keras.layers.Layer",
    )

    def tfg014():
        pubs = [p for p in client.publications[start:] if p.uri == model]
        return pubs and [d.code for d in pubs[-1].diagnostics] == ["TFG014"]

    await wait_until(tfg014, timeout=30.0, what="TFG014 in model.py once Base is a Keras layer again")
