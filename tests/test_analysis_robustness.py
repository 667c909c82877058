"""The analysis never raises, whatever the text; bad input becomes a clear ParseFailure."""

import pytest
from gradls.analysis import analyze

GOOD = """\
import numpy as np
import tensorflow as tf
w = tf.Variable([1.0, 2.0])
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(np.square(w))
grads = tape.gradient(loss, [w])
"""


@pytest.mark.parametrize(
    "text",
    [
        "",
        "def f(:\n",
        GOOD[:-20],
        "\x00\x00",
        "x = (" * 5000 + "1" + ")" * 5000,
        "x = " + "-" * 100000 + "1",
        "s = '" + "a" * 2_000_000 + "'\n",
        "if True:\n\tx = 1\n        y = 2\n",
        GOOD.replace("\n", "\r\n"),
        "\ufeff" + GOOD,
        "import tensorflow as tf\n" + "def f(x):\n    return x\n" * 3000,
    ],
    ids=[
        "empty",
        "syntax",
        "truncated",
        "nul",
        "deep-parens",
        "deep-unary",
        "huge-string",
        "tabs",
        "crlf",
        "bom",
        "many-defs",
    ],
)
def test_never_raises(text):
    result = analyze(text)
    assert isinstance(result.findings, list)
    if result.failure is not None:
        assert result.failure.message


def test_crlf_and_bom_positions_match_lf():
    lf = [(f.code, f.span) for f in analyze(GOOD).findings]
    assert lf and lf == [(f.code, f.span) for f in analyze(GOOD.replace("\n", "\r\n")).findings]
    assert lf == [(f.code, f.span) for f in analyze("\ufeff" + GOOD).findings]


def test_non_ascii_columns_are_code_points():
    src = GOOD.replace("loss = tf", "loss = 'é✓' and tf")
    f = analyze(src).findings[0]
    line = src.splitlines()[f.span.line - 1]
    assert line[f.span.col : f.span.end_col] == "np.square(w)"
