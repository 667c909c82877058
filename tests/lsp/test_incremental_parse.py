"""The server's splice of an edited top-level statement into the last tree equals `ast.parse` of the whole text.

`splice_parse` answers a tree only where that holds by construction and None (parse it all) otherwise; every
tree it answers is compared here with `ast.parse`, positions included, over scripted edits (each also checked to
take the path it should) and a seeded run of random keystrokes chained the way the server chains them.
"""

from __future__ import annotations

import ast
import random
import warnings

import pytest
from gradls.lsp.incremental import splice_parse

MODULE = '''\
"""A module docstring."""
import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    """Scales its input."""

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return np.multiply(x, self.w)  # a comment


@tf.function
def step(model, x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    return tape.gradient(loss, model.trainable_variables)

# a comment between statements

if __name__ == "__main__":
    step(Scale(), tf.ones((2, 3)))
else:
    TEXT = """a
multi-line string"""
'''


def parse(text: str) -> ast.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences typed at random
        return ast.parse(text)


def dump(tree: ast.AST) -> str:
    return ast.dump(tree, include_attributes=True)


def edit(text: str, line: int, col: int, remove: int, insert: str) -> str:
    lines = text.split("\n")
    lines[line] = lines[line][:col] + insert + lines[line][col + remove :]
    return "\n".join(lines)


def checked(old: str, new: str) -> ast.Module | None:
    spliced = splice_parse(old, parse(old), new)
    if spliced is not None:
        assert dump(spliced) == dump(parse(new))
    return spliced


def at(text: str, needle: str) -> tuple[int, int]:
    for i, line in enumerate(text.split("\n")):
        if needle in line:
            return i, line.index(needle)
    raise AssertionError(needle)


# (what, needle, chars removed after it, inserted text, whether the splice applies)
SCRIPTED = [
    ("a name in a method body", "np.multiply", 2, "tf", True),
    ("a comment in a method", "# a comment", 11, "# gradls: ignore", True),
    ("the class's base", "tf.keras.layers.Layer", 21, "object", True),
    ("a decorator", "@tf.function", 12, "@tf.function(jit_compile=True)", True),
    ("a new statement typed between two", "# a comment between", 0, "x = 1  ", True),
    ("a decorator left dangling before the next statement", "# a comment between", 0, "@dec  ", False),
    ("an else branch of a top-level if", "TEXT =", 0, "OTHER = 2; ", True),
    ("a string opened and left open", "return tape", 0, '"""', False),
    ("a bracket left open", "loss = tf", 0, "(", False),
    ("a line continuation at the segment's end", "# a comment between", 0, "y = \\", False),
    ("an import (module facts change; still one statement)", "import numpy as np", 18, "import jax.numpy as np", True),
    ("the module docstring", "A module docstring", 1, "The", True),
    ("a __future__ import", "import numpy as np", 0, "from __future__ import annotations; ", False),
    ("a syntax error", "def step", 3, "de", False),
]


@pytest.mark.parametrize(("what", "needle", "remove", "insert", "splices"), SCRIPTED, ids=[s[0] for s in SCRIPTED])
def test_scripted_edits(what: str, needle: str, remove: int, insert: str, splices: bool):
    line, col = at(MODULE, needle)
    new = edit(MODULE, line, col, remove, insert)
    assert (checked(MODULE, new) is not None) is splices, what


def test_line_count_changes_and_edits_across_statements_parse_everything():
    line, _ = at(MODULE, "def call")
    assert checked(MODULE, edit(MODULE, line, 0, 0, "\n")) is None  # a line added
    start = MODULE.index("@tf.function")
    assert checked(MODULE, MODULE[: start - 3] + "XX" + MODULE[start - 1 :]) is None  # spans two statements
    assert checked("a = 1; b = 2\nc = 3\n", "a = 1; b = 3\nc = 3\n") is None  # two statements on one line
    assert checked(MODULE, MODULE) is None  # nothing changed
    assert checked("# header\nx = 1\n", "# header!\nx = 1\n") is None  # above the first statement
    assert checked(MODULE, MODULE.replace("\n", "\r\n")) is None


def test_random_keystrokes_chained_like_the_server():
    """Each spliced tree is the base of the next edit, as the server keeps the last analysed tree."""
    rnd = random.Random(20261206)
    pieces = [" ", "x", "(", ")", '"', "'", "\\", "#", ":", "    ", "1", "@d", "[", "]", '"""', "if x:", "\t"]
    text, tree = MODULE * 3, parse(MODULE * 3)
    spliced_count = 0
    for _ in range(600):
        lines = text.split("\n")
        line = rnd.randrange(len(lines))
        col = rnd.randrange(len(lines[line]) + 1)
        new = edit(text, line, col, rnd.choice([0, 0, 1]), rnd.choice(pieces + [""]))
        spliced = splice_parse(text, tree, new)
        try:
            full = parse(new)
        except SyntaxError:
            full = None
        if spliced is not None:
            spliced_count += 1
            assert full is not None and dump(spliced) == dump(full)
        if full is not None:
            text, tree = new, spliced if spliced is not None else full
    assert spliced_count > 100  # the path is really taken, not only its fallbacks
