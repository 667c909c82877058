"""An edit in one top-level statement that changes another one's verdict updates that other statement's
diagnostics, over a real LSP connection.

The server re-parses only the edited top-level statement and splices it into the last tree
(`lsp/incremental.py`); what the rules conclude about the statements it did not re-parse still rests on
module-level facts the edit can change.  Each case edits one statement with a same-line-count edit (the
spliced path) and expects a finding in *another* statement to appear or go:

- a call site: `step` passing a tensor seeds `helper`'s parameter, whose Python `if` then runs on a tensor
  in graph mode (TFG003 in `helper`); passing `3` makes it a Python value;
- an import: `np` bound to NumPy makes `np.multiply` in a Keras layer's `call` TFG001; bound to
  `tensorflow.experimental.numpy` it is a TensorFlow op;
- graph-mode reachability: `step`, run by an `autograph=False` function, starts calling `helper`, whose
  Python `if` on a tensor then runs in graph mode (TFG003 in `helper`).

After every edit the published set also equals a fresh `analyze()` of the client's text (codes and ranges).
"""

from __future__ import annotations

import pytest
from gradls.analysis import analyze
from lsp_helpers import RecordingClient, change_document, lsp_session, open_document, range_tuple, rng, wait_until
from lsprotocol import types as lsp

pytestmark = pytest.mark.asyncio(loop_scope="module")

CALL_SITE = """\
import tensorflow as tf


def helper(x, n):
    if n > 0:
        return x
    return -x


@tf.function(autograph=False)
def step(x):
    return helper(x, tf.reduce_sum(x))
"""

IMPORT = """\
import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return np.multiply(x, self.w)
"""

REACHABILITY = """\
import tensorflow as tf


def helper(x):
    if tf.reduce_sum(x) > 0:
        return x
    return -x


def step(x):
    return x


@tf.function(autograph=False)
def train(x):
    return step(x)
"""

client = lsp_session("cross-statement-ws", options={"settings": {"lint": {"run": "onType"}}, "trusted": True})


def replaced(text: str, line: int, col: int, old: str, new: str) -> tuple[lsp.Range, str]:
    """The LSP range of `old` at (line, col) (0-based, ASCII) and the text with `new` in its place."""
    lines = text.split("\n")
    assert lines[line][col : col + len(old)] == old, lines[line]
    lines[line] = lines[line][:col] + new + lines[line][col + len(old) :]
    return rng(line, col, line, col + len(old)), "\n".join(lines)


def expected(text: str, path: str) -> list[tuple[str, tuple[int, int, int, int]]]:
    """What a fresh analysis of `text` reports: (code, 0-based range) per finding."""
    out = []
    for f in analyze(text, path).findings:
        s = f.span
        out.append((f.code, (s.line - 1, s.col, s.end_line - 1, s.end_col)))
    return sorted(out)


async def published(client: RecordingClient, uri: str, version: int) -> list[tuple[str, tuple[int, int, int, int]]]:
    def found():
        pubs = [p for p in client.publications if p.uri == uri and p.version == version]
        return pubs[-1] if pubs else None

    pub = await wait_until(found, timeout=30.0, what=f"diagnostics for {uri} v{version}")
    return sorted((str(d.code), range_tuple(d.range)) for d in pub.diagnostics)


async def edit_back_and_forth(
    client: RecordingClient,
    name: str,
    text: str,
    where: tuple[int, int, str, str],
    before: set[tuple[str, int]],
    after: set[tuple[str, int]],
) -> None:
    """Open `text`, then edit `where` = (line, col, old, new) and back twice; the finding (code, 0-based line)
    sets `before`/`after` show up as expected in another statement, and every publication equals a fresh
    analysis of the client's text."""
    folder = client.root / name
    folder.mkdir()
    path = folder / "module.py"
    path.write_text(text)
    uri = path.as_uri()
    open_document(client, uri, text)
    got = await published(client, uri, 1)
    assert {(c, r[0]) for c, r in got} == before
    assert got == expected(text, str(path))
    line, col, old, new = where
    version, current = 1, text
    for _ in range(2):
        for a, b, wanted in ((old, new, after), (new, old, before)):
            version += 1
            edit_range, current = replaced(current, line, col, a, b)
            change_document(client, uri, version, edit_range, b)
            got = await published(client, uri, version)
            assert {(c, r[0]) for c, r in got} == wanted, (version, got)
            assert got == expected(current, str(path)), version
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))


async def test_a_call_site_edit_in_one_function_updates_the_callee_s_diagnostics(client):
    # `helper(x, tf.reduce_sum(x))` on line 11 -> `helper(x, 3)`: TFG003 in helper (line 4) goes.
    await edit_back_and_forth(client, "call-site", CALL_SITE, (11, 21, "tf.reduce_sum(x)", "3"), {("TFG003", 4)}, set())


async def test_an_import_edit_updates_a_method_s_diagnostics(client):
    await edit_back_and_forth(
        client, "import", IMPORT, (0, 7, "numpy", "tensorflow.experimental.numpy"), {("TFG001", 9)}, set()
    )


async def test_a_new_call_makes_another_function_graph_mode(client):
    # step starts calling helper: helper now runs in train's graph, its `if` on a tensor is TFG003.
    await edit_back_and_forth(client, "reachability", REACHABILITY, (10, 11, "x", "helper(x)"), set(), {("TFG003", 4)})
