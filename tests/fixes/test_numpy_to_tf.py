"""TFG001 fix: NumPy call on a tensor -> TensorFlow op (text, safety, and real TF behaviour)."""

from __future__ import annotations

import ast
import time

import pytest
from gradls.analysis.model import Finding
from gradls.fixes import apply_edits, fix_for, span_of_offsets
from gradls.fixes.tfg001_numpy_on_tensor import OPS, convert_call
from hypothesis import given, settings
from hypothesis import strategies as st
from tfharness import run_programs

from fixes.fixkit import check_fix, src


# ----------------------------------------------------------------------------- hand-built findings
def _finding(source: str, call: str, func: str, alias: str | None = None) -> Finding:
    i = source.index(call)
    sp = span_of_offsets(source, i, i + len(call))
    return Finding(
        "TFG001",
        "numpy on tensor",
        sp,
        {"call": [sp.line, sp.col, sp.end_line, sp.end_col], "func": func, "tf_alias": alias},
    )


def test_exact_text_sum_with_axis_keepdims():
    s = "import numpy as np\nimport tensorflow as tf\n\ndef f(x):\n    return np.sum(x * 2,  axis=1, keepdims=True) + 1\n"
    f = _finding(s, "np.sum(x * 2,  axis=1, keepdims=True)", "numpy.sum", "tf")
    fix = fix_for(s, f)
    assert fix.title == "Replace np.sum with tf.reduce_sum" and fix.safe
    assert apply_edits(s, fix.edits) == s.replace("np.sum(x * 2,  axis=1", "tf.reduce_sum(x * 2,  axis=1")


def test_adds_import_after_last_import_and_keeps_multiline_args():
    s = '"""Doc."""\nfrom __future__ import annotations\nimport numpy as np\nimport os\n\ndef f(a, b):\n    return np.concatenate(\n        [a, b],  # both\n    )\n'
    f = _finding(s, "np.concatenate(\n        [a, b],  # both\n    )", "numpy.concatenate")
    fix = fix_for(s, f)
    out = apply_edits(s, fix.edits)
    assert out == (
        '"""Doc."""\nfrom __future__ import annotations\nimport numpy as np\nimport os\nimport tensorflow as tf\n\n'
        "def f(a, b):\n    return tf.concat(\n        [a, b], axis=0,  # both\n    )\n"
    )
    ast.parse(out)


def test_import_after_docstring_and_future_when_no_other_imports():
    s = '"""Doc."""\nfrom __future__ import annotations\n\ndef f(x):\n    return numpy_thing(x)\n'
    from gradls.fixes._imports import import_edit, parse_module

    e = import_edit(s, parse_module(s), "import tensorflow as tf")
    assert apply_edits(s, [e]).startswith('"""Doc."""\nfrom __future__ import annotations\nimport tensorflow as tf\n\n')
    s2 = "x = 1"  # no newline at the end, no imports
    assert (
        apply_edits(s2, [import_edit(s2, parse_module(s2), "import tensorflow as tf")])
        == "import tensorflow as tf\nx = 1"
    )
    s3 = "import numpy as np"  # import on the last line without newline
    assert (
        apply_edits(s3, [import_edit(s3, parse_module(s3), "import tensorflow as tf")])
        == "import numpy as np\nimport tensorflow as tf"
    )


def test_reuses_module_alias():
    s = "import numpy as np\nimport tensorflow as tfl\n\ndef f(x):\n    return np.max(x, 0)\n"
    fix = fix_for(s, _finding(s, "np.max(x, 0)", "numpy.max", None))  # alias found even without the hint
    assert apply_edits(s, fix.edits).endswith("return tfl.reduce_max(x, 0)\n") and len(fix.edits) == 1


def test_from_import_spelling_and_title():
    s = "from numpy import multiply as mul\nimport tensorflow as tf\n\ndef f(a, b):\n    return mul(a, b)\n"
    fix = fix_for(s, _finding(s, "mul(a, b)", "numpy.multiply", "tf"))
    assert fix.title == "Replace mul with tf.multiply"
    assert apply_edits(s, fix.edits).endswith("return tf.multiply(a, b)\n")


def test_dot_is_tensordot_and_not_safe():
    s = "import numpy as np\nimport tensorflow as tf\n\ndef f(x, w):\n    return np.dot(x, w)\n"
    fix = fix_for(s, _finding(s, "np.dot(x, w)", "numpy.dot", "tf"))
    assert apply_edits(s, fix.edits).endswith("return tf.tensordot(x, w, axes=1)\n")
    assert not fix.safe


@pytest.mark.parametrize(
    "call,func",
    [
        ("np.sum(x, 1, np.float64)", "numpy.sum"),
        ("np.sum(x, out=buf)", "numpy.sum"),
        ("np.mean(x, dtype=np.float64)", "numpy.mean"),
        ("np.concatenate([x, x], axis=None)", "numpy.concatenate"),
        ("np.clip(x, None, 1.0)", "numpy.clip"),
        ("np.reshape(x, (4,), order='F')", "numpy.reshape"),
        ("np.where(x)", "numpy.where"),
        ("np.add(x, x, out=x)", "numpy.add"),
        ("np.std(x, ddof=1)", "numpy.std"),
        ("np.cumsum(x)", "numpy.cumsum"),
        ("np.sum(*xs)", "numpy.sum"),
        ("np.sum(**kw)", "numpy.sum"),
        ("np.argmax(x)", "numpy.argmax"),
        ("np.linalg.norm(x, ord=1)", "numpy.linalg.norm"),
    ],
)
def test_refuses_what_tf_cannot_express(call, func):
    s = f"import numpy as np\nimport tensorflow as tf\n\ndef f(x, xs, kw, buf):\n    return {call}\n"
    assert fix_for(s, _finding(s, call, func, "tf")) is None


def test_refuses_stale_or_foreign_calls():
    s = "import numpy as np\nimport tensorflow as tf\n\ndef f(x):\n    return tf.reduce_sum(x)\n"
    assert fix_for(s, _finding(s, "tf.reduce_sum(x)", "numpy.sum", "tf")) is None  # already fixed
    s2 = "import numpy as np\ntf = 3\n\ndef f(x):\n    return np.sum(x)\n"
    assert fix_for(s2, _finding(s2, "np.sum(x)", "numpy.sum")) is None  # `tf` means something else


# ----------------------------------------------------------------------------- property: always parses
_ARG = st.sampled_from(["x", "x * 2", "(x)", "[x, x]", "-1", "0", "(0, 1)", "None", "w[0]", "f(x, y=1)", "'ij->i'"])
_KW = st.sampled_from(
    ["axis", "keepdims", "out", "dtype", "a_min", "a_max", "min", "max", "shape", "axes", "order", "where"]
)


@settings(max_examples=150, deadline=None)
@given(
    func=st.sampled_from(sorted(OPS)),
    pos=st.lists(_ARG, max_size=4),
    kws=st.lists(st.tuples(_KW, _ARG), max_size=3, unique_by=lambda t: t[0]),
    trailing=st.booleans(),
)
def test_output_always_parses(func, pos, kws, trailing):
    parts = pos + [f"{k}={v}" for k, v in kws]
    call = f"np.{func.removeprefix('numpy.')}(" + ", ".join(parts) + ("," if trailing and parts else "") + ")"
    out = convert_call(call, func, "tf")
    if out is not None:
        node = ast.parse(out[0], mode="eval").body
        assert isinstance(node, ast.Call) and ast.unparse(node.func).startswith("tf.")
        # argument text kept verbatim
        for p in pos:
            assert p in out[0]


# ----------------------------------------------------------------------------- real programs
_EAGER = """
import numpy as np
import tensorflow as tf

w = tf.Variable([[0.5, -0.2, 0.3], [0.1, 0.4, -0.6]])
x = tf.constant([[1.0, 2.0], [3.0, -4.0], [0.5, 0.25]])

with tf.GradientTape() as tape:
    h = tf.matmul(x, w)
    y = {expr}
    loss = tf.reduce_sum(y * y)
RESULT = [gradient_status(tape.gradient(loss, [w])), np.asarray(y).tolist()]
"""

EAGER_CASES = {
    "sum_axis_keepdims": "np.sum(h, axis=1, keepdims=True)",
    "mean": "np.mean(h, 0)",
    "max": "np.max(h, axis=-1)",
    "prod": "np.prod(h + 2.0, 1)",
    "std": "np.std(h, axis=0)",
    "exp": "np.exp(h)",
    "log": "np.log(h * h + 1.0)",
    "abs": "np.abs(h)",
    "sqrt_square": "np.sqrt(np.square(h) + 1.0)",
    "tanh": "np.tanh(h)",
    "multiply": "np.multiply(h, 3.0)",
    "add_sub": "np.subtract(np.add(h, 1.0), 0.5)",
    "divide": "np.divide(h, 2.0)",
    "maximum": "np.maximum(h, 0.0)",
    "power": "np.power(h, 2)",
    "matmul": "np.matmul(h, tf.transpose(w))",
    "dot_matrix": "np.dot(x, w)",
    "where": "np.where(h > 0, h, 0.1 * h)",
    "clip_kw": "np.clip(h, a_min=-0.5, a_max=0.5)",
    "clip_np2_kw": "np.clip(h, min=-0.5, max=0.5)",
    "transpose": "np.transpose(h)",
    "reshape": "np.reshape(h, (9,))",
    "concatenate_default_axis": "np.concatenate([h, h * 2.0])",
    "stack": "np.stack([h, h], axis=1)",
    "expand_squeeze": "np.squeeze(np.expand_dims(h, 0))",
    "einsum": "np.einsum('ij,kj->ik', h, h)",
    "tensordot_default_axes": "np.tensordot(h, h)",
    "norm": "np.linalg.norm(h)",
}


def _fix_all(source: str, code: str = "TFG001") -> str:
    """Apply the TFG001 fixes one at a time (outermost first), re-analysing after each."""
    from fixes.fixkit import findings

    for _ in range(5):
        fs = [f for f in findings(source, code) if fix_for(source, f) is not None]
        if not fs:
            return source
        f = fs[0]
        source = check_fix(source, f, fix_for(source, f), f.fix_data.call)
    return source


_KERAS = src(
    """
    import numpy as np
    import tensorflow as tf
    from tensorflow import keras

    class Proj(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")

        def call(self, x):
            return np.tanh(np.matmul(x, self.w))

    model = keras.Sequential([keras.Input(shape=(3,)), Proj()])
    model.compile(optimizer="sgd", loss="mse")
    xs = np.ones((4, 3), "float32")
    model.fit(xs, np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(xs)))
    RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """
)

_ALIAS = src(
    """
    import numpy as np
    import tensorflow as tfl

    v = tfl.Variable([1.0, -2.0, 3.0])
    with tfl.GradientTape() as tape:
        loss = np.sum(v * v)
    RESULT = gradient_status([tape.gradient(loss, v)])
    """
)


@pytest.fixture(scope="module")
def tf_runs():
    programs, fixed = {}, {}
    for name, expr in EAGER_CASES.items():
        s = src(_EAGER.format(expr=expr))
        programs[f"orig:{name}"] = s
        fixed[name] = _fix_all(s)
        programs[f"fixed:{name}"] = fixed[name]
    for name, s in (("keras", _KERAS), ("alias", _ALIAS)):
        programs[f"orig:{name}"] = s
        fixed[name] = _fix_all(s)
        programs[f"fixed:{name}"] = fixed[name]
    t = time.perf_counter()
    results = run_programs(programs)
    print(f"TF batch of {len(programs)} programs: {time.perf_counter() - t:.1f}s")
    return results, fixed


@pytest.mark.parametrize("name", sorted(EAGER_CASES))
def test_eager_fix_restores_gradient_with_same_values(tf_runs, name):
    import numpy as np

    results, fixed = tf_runs
    assert "np." not in fixed[name].split("y = ", 1)[1].split("\n", 1)[0], fixed[name]
    orig, new = results[f"orig:{name}"], results[f"fixed:{name}"]
    assert orig.ok, orig.error
    assert orig.result[0] == ["none"], orig.result  # NumPy silently cut the gradient
    assert new.ok, new.error
    assert new.result[0] == ["ok"], new.result
    assert np.allclose(np.asarray(orig.result[1]), np.asarray(new.result[1]), atol=1e-5)  # same forward values


def test_keras_graph_mode_fix(tf_runs):
    results, fixed = tf_runs
    assert "tf.tanh(tf.matmul(x, self.w))" in fixed["keras"]
    assert results["orig:keras"].error_type == "NotImplementedError", results["orig:keras"].error
    assert results["fixed:keras"].ok, results["fixed:keras"].error
    assert results["fixed:keras"].result == ["ok"]


def test_alias_program(tf_runs):
    results, fixed = tf_runs
    assert "tfl.reduce_sum(v * v)" in fixed["alias"] and "import tensorflow as tf\n" not in fixed["alias"]
    orig = results["orig:alias"]  # tape.gradient of a NumPy scalar raises AttributeError
    assert orig.error is not None or orig.result == ["none"]
    assert results["fixed:alias"].ok and results["fixed:alias"].result == ["ok"]
