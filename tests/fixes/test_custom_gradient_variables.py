"""TFG004 fix: grad_fn gets `variables=None` and real variable gradients (checked against plain autodiff)."""

from __future__ import annotations

import time

import numpy as np
import pytest
from gradls.analysis.model import Finding, Span
from gradls.fixes import apply_edits, fix_for
from tfharness import run_programs

from fixes.fixkit import check_fix, findings, only_finding, src

# Each case: the custom_gradient program, and the same math without custom_gradient (plain autodiff).
# Both end with RESULT = {"grads": [...values...], "status": gradient_status(...)} for the same variables.
CASES = {
    "dense_tanh": (
        """
        import tensorflow as tf

        w = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
        b = tf.Variable([0.1, -0.2])

        @tf.custom_gradient
        def layer(x):
            h = tf.matmul(x, w)
            y = tf.tanh(h + b)
            def grad(dy):
                return tf.matmul(dy * (1 - y * y), w, transpose_b=True)
            return y, grad

        x = tf.constant([[1.0, 2.0], [-1.0, 0.5]])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) * [[1.0, 2.0]])
        g = tape.gradient(loss, [w, b])
        RESULT = {"grads": g, "status": gradient_status(g)}
        """,
        """
        import tensorflow as tf

        w = tf.Variable([[1.0, -2.0], [0.5, 3.0]])
        b = tf.Variable([0.1, -0.2])
        x = tf.constant([[1.0, 2.0], [-1.0, 0.5]])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.tanh(tf.matmul(x, w) + b) * [[1.0, 2.0]])
        g = tape.gradient(loss, [w, b])
        RESULT = {"grads": g, "status": gradient_status(g)}
        """,
    ),
    "two_inputs_in_tf_function": (
        """
        import tensorflow as tf

        scale = tf.Variable(1.5)

        @tf.custom_gradient
        def mix(a, k):
            \"\"\"a * k * scale, squared.\"\"\"
            def grad(dy):
                '''doc'''
                base = a * k * scale
                return dy * 2 * base * k * scale, dy * 2 * base * a * scale
            out = tf.square(a * k * scale)
            return out, grad

        @tf.function
        def step(a, k):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(mix(a, k))
            return tape.gradient(loss, [scale])

        g = step(tf.constant([1.0, 2.0]), tf.constant([0.5, -1.0]))
        RESULT = {"grads": g, "status": gradient_status(g)}
        """,
        """
        import tensorflow as tf

        scale = tf.Variable(1.5)
        a, k = tf.constant([1.0, 2.0]), tf.constant([0.5, -1.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(a * k * scale))
        g = tape.gradient(loss, [scale])
        RESULT = {"grads": g, "status": gradient_status(g)}
        """,
    ),
    "method_varargs_two_outputs": (
        """
        import tensorflow as tf

        class Block(tf.Module):
            def __init__(self):
                self.v = tf.Variable([2.0, -1.0])
                self.u = tf.Variable(0.5)

            @tf.custom_gradient
            def f(self, x):
                p = x * self.v
                q = tf.exp(x * self.u)
                def g(*dys):
                    return dys[0] * self.v + dys[1] * self.u * q
                return (p, q), g

        blk = Block()
        x = tf.constant([1.0, 0.3])
        with tf.GradientTape() as tape:
            p, q = blk.f(x)
            loss = tf.reduce_sum(p * p) + tf.reduce_sum(3.0 * q)
        g = tape.gradient(loss, [blk.v, blk.u])
        RESULT = {"grads": g, "status": gradient_status(g)}
        """,
        """
        import tensorflow as tf

        class Block(tf.Module):
            def __init__(self):
                self.v = tf.Variable([2.0, -1.0])
                self.u = tf.Variable(0.5)

        blk = Block()
        x = tf.constant([1.0, 0.3])
        with tf.GradientTape() as tape:
            p, q = x * blk.v, tf.exp(x * blk.u)
            loss = tf.reduce_sum(p * p) + tf.reduce_sum(3.0 * q)
        g = tape.gradient(loss, [blk.v, blk.u])
        RESULT = {"grads": g, "status": gradient_status(g)}
        """,
    ),
}


def _fix(source: str) -> str:
    f = only_finding(source, "TFG004")
    fix = fix_for(source, f)
    assert fix is not None and fix.safe
    return check_fix(source, f, fix, f.fix_data.grad_fn_def)


@pytest.fixture(scope="module")
def tf_runs():
    programs, fixed = {}, {}
    for name, (prog, plain) in CASES.items():
        prog, plain = src(prog), src(plain)
        fixed[name] = _fix(prog)
        programs.update({f"orig:{name}": prog, f"fixed:{name}": fixed[name], f"plain:{name}": plain})
    t = time.perf_counter()
    results = run_programs(programs)
    print(f"TF batch of {len(programs)} programs: {time.perf_counter() - t:.1f}s")
    return results, fixed


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixed_variable_gradients_equal_plain_autodiff(tf_runs, name):
    results, fixed = tf_runs
    orig, new, plain = results[f"orig:{name}"], results[f"fixed:{name}"], results[f"plain:{name}"]
    assert orig.error_type == "TypeError" and "must accept keyword argument 'variables'" in orig.error, orig.error
    assert plain.ok, plain.error
    assert new.ok, f"{new.error}\n{fixed[name]}"
    assert all(s == "ok" for s in new.result["status"]), new.result
    for got, want in zip(new.result["grads"], plain.result["grads"], strict=True):
        assert np.allclose(np.asarray(got), np.asarray(want), atol=1e-5), (got, want)
    assert findings(fixed[name], "TFG004") == []


def test_exact_text():
    s = src(
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        @tf.custom_gradient
        def f(x):
            y = x * w
            def grad(dy): return dy * w
            return y, grad
        """
    )
    out = apply_edits(s, fix_for(s, only_finding(s, "TFG004")).edits)
    assert out == src(
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        @tf.custom_gradient
        def f(x):
            y = x * w
            def grad(dy, variables=None):
                def _forward():
                    y = x * w
                    return y
                with tf.GradientTape() as _tape:
                    _outputs = _forward()
                _variable_grads = _tape.gradient(_outputs, variables, output_gradients=dy)
                return dy * w, _variable_grads
            return y, grad
        """
    )


@pytest.mark.parametrize(
    "forward,grad",
    [
        ("print(x)\n    y = x * w", "def grad(dy):\n        return dy * w"),  # side effect would run twice
        ("self_y = x * w\n    y = self_y\n    acc.append(y)", "def grad(dy):\n        return dy * w"),
        ("y = x * w", "def grad(dy):\n        x = dy\n        return x * w"),  # grad_fn shadows `x`
        ("y = x * w", "def grad(dy):\n        return"),  # bare return
        ("y = x * w", "def grad(dy, *rest):\n        return dy * w"),  # positional + *args
    ],
)
def test_refusals(forward, grad):
    s = f"import tensorflow as tf\nw = tf.Variable(2.0)\nacc = []\n\n@tf.custom_gradient\ndef f(x):\n    {forward}\n    {grad}\n    return y, grad\n"
    fs = findings(s, "TFG004")
    gl = next(i for i, ln in enumerate(s.splitlines(), 1) if ln.strip().startswith("def grad"))
    f = (
        fs[0]
        if fs
        else Finding(
            "TFG004",
            "m",
            Span(gl, 4, gl, 8),
            {"function": [5, 0, gl + 2, 18], "grad_fn": "grad", "grad_fn_def": [gl, 4, gl + 1, 20]},
        )
    )
    assert fix_for(s, f) is None


def test_lambda_grad_fn_refused():
    f = Finding(
        "TFG004", "m", Span(1, 0, 1, 1), {"function": [1, 0, 3, 0], "grad_fn": None, "grad_fn_def": [2, 4, 2, 20]}
    )
    assert fix_for("import tensorflow as tf\n", f) is None
