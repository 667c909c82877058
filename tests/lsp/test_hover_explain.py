"""Hover shows the engine's facts (analysis/explain.py) over a real LSP connection, and nothing where it knows
nothing; over a finding the rule's text comes after the facts."""

from __future__ import annotations

import pytest
from lsp_helpers import (
    lsp_session,
    open_document,
    wait_for_publication,
)
from lsprotocol import types as lsp

pytestmark = pytest.mark.asyncio(loop_scope="module")

PROGRAM = """\
import tensorflow as tf

w = tf.Variable(tf.ones((3, 2)))
step = tf.Variable(0)
x = tf.random.normal((4, 3))


def train(x):
    with tf.GradientTape() as tape:
        scores = tf.matmul(x, w)
        loss = tf.reduce_mean(scores) + tf.cast(step, tf.float32)
    return tape.gradient(loss, [w, step])
"""


client = lsp_session("hover-ws", options={"settings": {"lint": {"run": "onType"}}, "trusted": True})


async def hover(client, uri: str, line: int, character: int) -> lsp.Hover | None:
    return await client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=line, character=character)
        )
    )


async def test_hover_on_gradient_variable_and_function_states_the_facts(client):
    uri = (client.root / "train.py").as_uri()
    open_document(client, uri, PROGRAM)
    await wait_for_publication(client, uri, version=1)
    lines = PROGRAM.splitlines()
    g = lines.index("    return tape.gradient(loss, [w, step])")
    on_gradient = await hover(client, uri, g, lines[g].index("gradient") + 2)
    assert on_gradient is not None
    text = on_gradient.contents.value
    assert text.splitlines()[0].startswith("**gradls** `tape.gradient`")  # a short first line, details below
    assert "- `w`: gradient." in text
    assert "- `step`: **None**. `step` is int32: created by `tf.Variable(0)` (line 4)" in text

    on_var = await hover(client, uri, 3, 1)
    assert on_var is not None and "`step`: variable, dtype int32" in on_var.contents.value
    assert on_var.range == lsp.Range(start=lsp.Position(line=3, character=0), end=lsp.Position(line=3, character=4))

    d = lines.index("def train(x):")
    on_def = await hover(client, uri, d, 5)
    assert on_def is not None and "`train` runs eagerly" in on_def.contents.value

    # No noise: inside the body on a plain local, on an import, on a blank line.
    for line, col in (
        (lines.index("        loss = tf.reduce_mean(scores) + tf.cast(step, tf.float32)"), 9),
        (0, 3),
        (6, 0),
    ):
        assert await hover(client, uri, line, col) is None, (line, col)
