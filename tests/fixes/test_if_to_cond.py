"""TFG003 fix: Python `if` / conditional expression / `and` on a tensor -> tf.cond / tf.logical_*."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import numpy as np
import pytest
from gradls.analysis.model import Finding, Span
from gradls.fixes import apply_edits, fix_for
from gradls.fixes.tfg003_python_control_flow_on_tensor import rewrite_if_as_cond
from hypothesis import given, settings
from hypothesis import strategies as st
from tfharness import run_programs

from fixes.fixkit import check_fix, findings, src

_LAYER = src(
    """
    import numpy as np
    import tensorflow as tf
    from tensorflow import keras

    class Gate(keras.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")

        def call(self, x):
            h = tf.matmul(x, self.w)
            s = tf.reduce_sum(h)
            BODY

    xp = tf.constant([[1.0, 2.0, 3.0]])
    REF = [Gate()(xp).numpy().tolist(), Gate()(-xp).numpy().tolist(), Gate()(xp * 0.1).numpy().tolist()]
    RESULT = {"ref": REF}
    model = keras.Sequential([keras.Input(shape=(3,)), Gate()])
    model.compile(optimizer="sgd", loss="mse")
    xs = np.ones((4, 3), "float32")
    model.fit(xs, np.zeros((4, 2), "float32"), epochs=1, verbose=0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(xs)))
    RESULT = {"ref": REF, "grads": gradient_status(tape.gradient(loss, model.trainable_variables))}
    """
)

# name -> (body of Gate.call, expected rewritten body lines)
KERAS_CASES = {
    "ifelse_lambda": (
        """if s > 0:
                y = h * 2.0
            else:
                y = -h
            return y""",
        "y = tf.cond(s > 0, lambda: h * 2.0, lambda: -h)",
    ),
    "ternary": ("return h * 2.0 if s > 0 else -h", "return tf.cond(s > 0, lambda: h * 2.0, lambda: -h)"),
    "single_branch": (
        """y = h
            if s > 0:
                y = y * 3.0
            return y""",
        "y = tf.cond(s > 0, lambda: y * 3.0, lambda: y)",
    ),
    "boolop_test": (
        """if s > 0 and tf.reduce_max(h) < 100.0:
                y = h * 2.0
            else:
                y = -h
            return y""",
        "y = tf.cond(tf.logical_and(s > 0, tf.reduce_max(h) < 100.0), lambda: h * 2.0, lambda: -h)",
    ),
    "two_outputs": (
        """if s > 0:
                a, b = h, h * 2.0
            else:
                a = -h
                b = h
            return a + b""",
        "a, b = tf.cond(s > 0, _true_fn, lambda: (-h, h))",
    ),
    "elif_defs": (
        """if s > 10.0:
                t = h * 2.0
                y = t + 1.0  # shift
            elif s > 0:
                y = h
            else:
                y = tf.zeros_like(h)
            return y""",
        "y = tf.cond(s > 10.0, _true_fn, lambda: tf.cond(s > 0, lambda: h, lambda: tf.zeros_like(h)))",
    ),
    "both_return": (
        """if s > 0:
                return h * 2.0
            else:
                z = -h
                return z * 0.5""",
        "return tf.cond(s > 0, lambda: h * 2.0, _false_fn)",
    ),
    "read_before_write": (
        """y = h
            if s > 0:
                y = y * 2.0
                y += 1.0
            return y""",
        "def _true_fn(y=y):",
    ),
}

# `if c: return a` with no `else`, then statements ending in `return b`: those statements are the `else`.
IMPLICIT_ELSE_CASES = {
    "implicit_else": (
        """if s > 0:
                return h * 2.0
            return -h""",
        "        return tf.cond(s > 0, lambda: h * 2.0, lambda: -h)\n\nxp",
    ),
    "implicit_else_statements_before_return": (
        """if s > 0:
                return h * 2.0
            # the other way
            t = -h
            u = t * 0.5
            return u + 1.0  # shifted""",
        """        def _false_fn():
            # the other way
            t = -h
            u = t * 0.5
            return u + 1.0  # shifted
        return tf.cond(s > 0, lambda: h * 2.0, _false_fn)
""",
    ),
    "implicit_else_nested_function": (
        """def pick(v):
                if tf.reduce_sum(v) > 0:
                    return v * 2.0
                return -v
            return pick(h)""",
        "            return tf.cond(tf.reduce_sum(v) > 0, lambda: v * 2.0, lambda: -v)\n        return pick(h)",
    ),
    "implicit_else_elif": (
        """if s > 10.0:
                return h * 2.0
            elif s > 0:
                return h
            return tf.zeros_like(h)""",
        "return tf.cond(s > 10.0, lambda: h * 2.0, lambda: tf.cond(s > 0, lambda: h, lambda: tf.zeros_like(h)))",
    ),
}
KERAS_CASES.update(IMPLICIT_ELSE_CASES)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python_if_in_keras_layer.py"
# Appended to the bundled example (which ends in `model.fit`): every trainable variable gets a gradient
# and another epoch of `fit` moves every one of them.
_TRAINS = src(
    """

    import numpy as np
    xs, ys = tf.random.normal((32, 8)) * 3.0, tf.random.normal((32, 1))
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(xs) - ys))
    before = [v.numpy().copy() for v in model.trainable_variables]
    model.fit(xs, ys, epochs=1, verbose=0)
    RESULT = {
        "grads": gradient_status(tape.gradient(loss, model.trainable_variables)),
        "moved": [not np.allclose(b, v.numpy()) for b, v in zip(before, model.trainable_variables)],
    }
    """
)

_CUSTOM_GRAD = src(
    """
    import tensorflow as tf

    @tf.custom_gradient
    def clip_norm_grad(x):
        y = tf.identity(x)
        def grad(dy):
            n = tf.norm(dy)
            if n > 1.0:
                g = dy / n
            else:
                g = dy
            return g
        return y, grad

    w = tf.Variable([3.0, 4.0])

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(clip_norm_grad(w * 2.0))
        return tape.gradient(loss, [w])

    RESULT = {"grads": gradient_status(step()), "value": step()[0]}
    """
)

_NO_AUTOGRAPH = src(
    """
    import tensorflow as tf

    w = tf.Variable([1.0, -2.0])

    @tf.function(autograph=False)
    def loss_fn(x):
        z = x * w
        out = tf.reduce_sum(z * z) if tf.reduce_sum(z) > 0 else tf.reduce_sum(z)
        return out

    with tf.GradientTape() as tape:
        loss = loss_fn(tf.constant([3.0, 1.0]))
    RESULT = {"grads": gradient_status(tape.gradient(loss, [w])), "value": loss}
    """
)


def _program(name: str) -> str:
    if name == "example":
        return EXAMPLE.read_text(encoding="utf-8") + _TRAINS
    if name == "custom_gradient":
        return _CUSTOM_GRAD
    if name == "no_autograph":
        return _NO_AUTOGRAPH
    body = KERAS_CASES[name][0].replace("\n    ", "\n")  # written 4 columns deeper than Gate.call's body
    return _LAYER.replace("BODY", body)


ALL = [*KERAS_CASES, "custom_gradient", "no_autograph", "example"]


def _through_function_end(source: str, span: Span) -> Span:
    """From the `if` at `span` to the end of the function holding it (its last line's trailing comment included):
    where an implicit-else rewrite may edit."""
    tree = ast.parse(source)
    fn = min(
        (
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef) and n.lineno < span.line <= (n.end_lineno or n.lineno)
        ),
        key=lambda n: (n.end_lineno or n.lineno) - n.lineno,
    )
    end = fn.end_lineno or fn.lineno
    return Span(span.line, span.col, end, len(source.splitlines()[end - 1]))


def _fix(source: str, implicit_else: bool = False) -> str:
    fs = findings(source, "TFG003")
    assert fs, "analysis reports no TFG003"
    f = fs[0]  # the outermost statement of an elif chain comes first
    fix = fix_for(source, f)
    assert fix is not None, f"no fix for {f}"
    assert not fix.safe
    span = f.fix_data.span
    return check_fix(source, f, fix, _through_function_end(source, span) if implicit_else else span)


@pytest.fixture(scope="module")
def tf_runs():
    programs, fixed = {}, {}
    for name in ALL:
        s = _program(name)
        fixed[name] = _fix(s, implicit_else=name in IMPLICIT_ELSE_CASES or name == "example")
        programs[f"orig:{name}"] = s
        programs[f"fixed:{name}"] = fixed[name]
    t = time.perf_counter()
    results = run_programs(programs)
    print(f"TF batch of {len(programs)} programs: {time.perf_counter() - t:.1f}s")
    return results, fixed


@pytest.mark.parametrize("name", sorted(KERAS_CASES))
def test_keras_call_fix_text(tf_runs, name):
    _, fixed = tf_runs
    assert KERAS_CASES[name][1] in fixed[name], fixed[name]
    assert findings(fixed[name], "TFG003") == []


@pytest.mark.parametrize("name", sorted(KERAS_CASES))
def test_keras_call_fix_runs_in_graph_with_same_values(tf_runs, name):
    results, _ = tf_runs
    orig, new = results[f"orig:{name}"], results[f"fixed:{name}"]
    assert orig.error_type == "OperatorNotAllowedInGraphError", orig.error
    assert new.ok, new.error
    assert new.result["grads"] == ["ok"], new.result
    # Eagerly the original works: the fix computes the same values on all branches.
    assert np.allclose(np.asarray(orig.result["ref"]), np.asarray(new.result["ref"]))


def test_bundled_example_rewritten_trains(tf_runs):
    """examples/python_if_in_keras_layer.py: `if ...: return a` then `return b` becomes one `return tf.cond`."""
    results, fixed = tf_runs
    assert (
        "return tf.cond(tf.reduce_max(norm) > 1.0, lambda: inputs / norm, lambda: inputs)\n\n\nmodel"
        in (fixed["example"])
    )
    assert findings(fixed["example"], "TFG003") == []
    assert results["orig:example"].error_type == "OperatorNotAllowedInGraphError", results["orig:example"].error
    new = results["fixed:example"]
    assert new.ok, new.error
    assert new.result["grads"] == ["ok"] * 4 and new.result["moved"] == [True] * 4, new.result


def test_custom_gradient_grad_fn_if(tf_runs):
    results, fixed = tf_runs
    assert "g = tf.cond(n > 1.0, lambda: dy / n, lambda: dy)" in fixed["custom_gradient"]
    assert results["orig:custom_gradient"].error_type == "OperatorNotAllowedInGraphError"
    new = results["fixed:custom_gradient"]
    assert new.ok and new.result["grads"] == ["ok"], new.error
    assert np.allclose(new.result["value"], [2 * 1 / np.sqrt(2)] * 2)  # upstream [1, 1] normalised, times 2


def test_autograph_false_ternary(tf_runs):
    results, fixed = tf_runs
    assert (
        "out = tf.cond(tf.reduce_sum(z) > 0, lambda: tf.reduce_sum(z * z), lambda: tf.reduce_sum(z))"
        in fixed["no_autograph"]
    )
    assert results["orig:no_autograph"].error_type == "OperatorNotAllowedInGraphError"
    new = results["fixed:no_autograph"]
    assert new.ok and new.result["grads"] == ["ok"] and np.isclose(new.result["value"], 9.0 + 4.0)


# ----------------------------------------------------------------------------- exact text, refusals
def _fn(body: str) -> str:
    return "import tensorflow as tf\n\n\ndef f(x, c):\n" + "".join(
        "    " + line + "\n" for line in src(body).splitlines()
    )


def _at_if(source: str):
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if ln.lstrip().startswith("if ") or " if " in ln)
    col = source.splitlines()[line - 1].index("if")
    return rewrite_if_as_cond(source, line, col)


def test_exact_def_form_keeps_comments_and_layout():
    s = _fn(
        """
        y = x
        # pick one
        if tf.reduce_sum(x) > 0:  # positive
            t = x * 2
            # double it
            y = t + 1
        else:
            y = x - 1
        return y
        """
    )
    fix = _at_if(s)
    assert apply_edits(s, fix.edits) == _fn(
        """
        y = x
        # pick one
        # positive
        def _true_fn():
            t = x * 2
            # double it
            y = t + 1
            return y
        y = tf.cond(tf.reduce_sum(x) > 0, _true_fn, lambda: x - 1)
        return y
        """
    )


def test_refactoring_on_elif_rewrites_whole_chain_and_adds_import():
    s = "def f(x, c):\n    if c > 1:\n        y = x\n    elif c > 0:\n        y = -x\n    else:\n        y = 0 * x\n    return y\n"
    fix = rewrite_if_as_cond(s, 4, 6)  # cursor on the `elif`
    out = apply_edits(s, fix.edits)
    assert out == (
        "import tensorflow as tf\ndef f(x, c):\n"
        "    y = tf.cond(c > 1, lambda: x, lambda: tf.cond(c > 0, lambda: -x, lambda: 0 * x))\n    return y\n"
    )


def test_finding_on_elif_is_refused():
    s = _fn("if c > 1:\n    y = x\nelif c > 0:\n    y = -x\nelse:\n    y = x\nreturn y")
    sp = [7, 4, 10, 13]
    assert fix_for(s, Finding("TFG003", "m", Span(*sp), {"node": "if", "span": sp, "test": [7, 9, 7, 14]})) is None


@pytest.mark.parametrize(
    "body",
    [
        "if c > 0:\n    print(x)\n    y = x\nelse:\n    y = -x\nreturn y",  # side effect
        "if c > 0:\n    self.y = x\nreturn x",  # attribute store
        "ys = []\nif c > 0:\n    ys.append(x)\nreturn ys",  # append
        "if c > 0:\n    return x\ny = -x",  # return in one branch only (nothing after ends in a return)
        "if c > 0:\n    y = x * 2\n    return y\nreturn y",  # y assigned in the if body, read after it
        "y = x\nif c > 0:\n    y = x * 2\n    return y\ny += 1\nreturn y",  # the same, bound before too
        "if c > 0:\n    return x\nyield x\nreturn -x",  # yield after the if
        "if c > 0:\n    return x\ny = yield x\nreturn y",  # yield as a value
        "if c > 0:\n    return\nreturn x",  # return without a value in the if
        "if c > 0:\n    return x\nreturn",  # ... and in the statements after it
        "if c > 0:\n    return x\nprint(x)\nreturn -x",  # side effect after the if
        "global g\nif c > 0:\n    return x\ng = -x\nreturn g",  # the else would store a global
        "with tf.name_scope('n'):\n    if c > 0:\n        return x\n    return -x",  # not in the function body
        "for i in range(3):\n    if c > 0:\n        break\nreturn x",  # break
        "if c > 0:\n    z = x\nreturn z",  # z unbound on the other path
        "if c > 0:\n    for i in range(2):\n        x = x * 2\nreturn x",  # nested control flow
        "if c > 0:\n    t = x\nreturn x",  # nothing assigned is used afterwards
        "return [(y := x) if c > 0 else x]",  # walrus
    ],
)
def test_refusals(body):
    s = _fn(body)
    assert _at_if(s) is None


def test_implicit_else_exact_text_keeps_comments():
    s = _fn(
        """
        y = x
        if tf.reduce_sum(x) > 0:  # positive
            return x

        # negative
        z = -x * y
        return z + 1  # shifted
        """
    )
    fix = _at_if(s)
    assert not fix.safe
    assert apply_edits(s, fix.edits) == _fn(
        """
        y = x
        # positive
        def _false_fn():
            # negative
            z = -x * y
            return z + 1  # shifted
        return tf.cond(tf.reduce_sum(x) > 0, lambda: x, _false_fn)
        """
    )
    s2 = _fn("if c > 0:\n    return x\nreturn -x  # flip")
    assert apply_edits(s2, _at_if(s2).edits).endswith("    # flip\n    return tf.cond(c > 0, lambda: x, lambda: -x)\n")


def test_while_is_refused():
    s = _fn("while c > 0:\n    c = c - 1\nreturn c")
    sp = [5, 4, 6, 17]
    assert (
        fix_for(s, Finding("TFG003", "m", Span(5, 4, 5, 15), {"node": "while", "span": sp, "test": [5, 10, 5, 15]}))
        is None
    )
    assert rewrite_if_as_cond(s, 5, 4) is None


def test_ifexp_and_boolop_findings():
    s = _fn("y = x if c > 0 else -x\nok = c > 0 and x > 0\nreturn y")
    f = Finding("TFG003", "m", Span(5, 8, 5, 26), {"node": "ifexp", "span": [5, 8, 5, 26], "test": [5, 13, 5, 18]})
    assert apply_edits(s, fix_for(s, f).edits).splitlines()[4] == "    y = tf.cond(c > 0, lambda: x, lambda: -x)"
    g = Finding("TFG003", "m", Span(6, 9, 6, 24), {"node": "boolop", "span": [6, 9, 6, 24], "test": [6, 9, 6, 14]})
    assert apply_edits(s, fix_for(s, g).edits).splitlines()[5] == "    ok = tf.logical_and(c > 0, x > 0)"
    s2 = _fn("ok = c and x\nreturn ok")  # operands not certainly boolean: refuse
    assert (
        fix_for(
            s2,
            Finding("TFG003", "m", Span(5, 9, 5, 16), {"node": "boolop", "span": [5, 9, 5, 16], "test": [5, 9, 5, 10]}),
        )
        is None
    )


def test_loop_variable_and_name_collision():
    s = _fn(
        """
        _true_fn = 1
        y = x
        for i in range(3):
            if c > i:
                t = y * i
                y = t
        return y + _true_fn
        """
    )
    out = apply_edits(s, _at_if(s).edits)
    assert "def _true_fn_1(y=y):" in out and "y = tf.cond(c > i, _true_fn_1, lambda: y)" in out
    ast.parse(out)


# ----------------------------------------------------------------------------- property
_EXPR = st.sampled_from(
    ["x", "x * 2", "-x", "(x +\n        1)", "f(x, k=1)", "x[0]", "a, b", "[x, y]", "lambda: x", "y if q else x"]
)
_NAME = st.sampled_from(["y", "z", "x", "t"])
_STMT = st.one_of(
    st.tuples(_NAME, _EXPR).map(lambda t: f"{t[0]} = {t[1]}"),
    st.tuples(_NAME, _EXPR).map(lambda t: f"{t[0]} += {t[1]}"),
    st.tuples(_NAME, _EXPR).map(lambda t: f"{t[0]}: int = {t[1]}"),
    st.just("pass"),
    st.just("# note"),
    st.just("print(x)"),
)


@settings(max_examples=120, deadline=None)
@given(
    then=st.lists(_STMT, min_size=1, max_size=4),
    orelse=st.one_of(st.none(), st.lists(_STMT, min_size=1, max_size=3)),
    ret=st.booleans(),
    test=st.sampled_from(["c > 0", "c > 0 and x < 1", "not c", "f(c)"]),
)
def test_rewrite_always_parses(then, orelse, ret, test):
    lines = ["y = x", "z = x", "t = x", f"if {test}:"] + ["    " + s for s in then]
    if ret:
        lines.append("    return y")
    if orelse is not None:
        lines += ["else:"] + ["    " + s for s in orelse] + (["    return z"] if ret else [])
    lines.append("return y, z, t")
    s = _fn("\n".join(lines))
    try:
        ast.parse(s)
    except SyntaxError:
        return
    fix = _at_if(s)
    if fix is not None:
        out = apply_edits(s, fix.edits)
        ast.parse(out)
        assert out.startswith(s[: s.index("    if ")])
