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


def test_star_imports_give_the_names_a_module_reads_and_never_binds():
    """`from keras.layers import *` binds what the module uses unbound (`Dense`), never a name it defines or a
    builtin, and guesses nothing for NumPy's star import (it shadows `round`, `max`...)."""
    import ast

    from gradls.analysis.module import ModuleInfo

    src = (
        "from tensorflow.keras.layers import *\n"
        "from tensorflow.keras.models import *\n"
        "from numpy import *\n"
        "def Conv2D(x):\n    return x\n"
        "m = Sequential([Dense(2), Conv2D(1)])\n"
        "y = round(mean([1.0]))\n"
    )
    info = ModuleInfo(ast.parse(src), src)
    calls = {ast.unparse(n.func): info.imports.qualname(n.func) for n in ast.walk(info.tree) if isinstance(n, ast.Call)}
    assert calls["Sequential"] == "keras.Sequential" or calls["Sequential"] == "keras.models.Sequential"
    assert calls["Dense"] == "keras.layers.Dense"
    assert calls["Conv2D"] is None  # defined here
    assert calls["round"] is None and calls["mean"] is None
