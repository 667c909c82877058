"""TFG020 custom-gradient-returns-non-callable: `@tf.custom_gradient` must return (output, grad_fn)."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    case(
        "tfg020_calls_grad_fn_instead_of_returning_it",
        "raises:TypeError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def scale_grad(x):
            def grad(dy):
                return dy * 0.5
            return tf.identity(x), grad(x)  # <- TFG020

        w = tf.Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(scale_grad(w * 3.0))
        RESULT = gradient_status(tape.gradient(loss, [w]))
    """,
    ),
    case(
        "tfg020_calls_grad_fn_in_tf_function",
        "raises:TypeError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def clip_gradient(x):
            def _clip(upstream):
                return tf.clip_by_norm(upstream, 1.0)
            return x, _clip(x)  # <- TFG020

        w = tf.Variable([3.0, 4.0])

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(clip_gradient(w) ** 2)
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step())
    """,
    ),
    case(
        "tfg020_returns_gradient_tensor",
        "raises:TypeError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def straight_through_round(x):
            return tf.round(x), tf.ones_like(x)  # <- TFG020

        x = tf.constant([0.2, 1.7])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = straight_through_round(x)
        g = tape.gradient(y, x)
    """,
    ),
    case(
        "tfg020_returns_none_forward_only",
        "raises:TypeError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def frozen(x):
            return x * 2.0, None  # <- TFG020

        y = frozen(tf.constant([1.0, 2.0]))
    """,
    ),
    case(
        "tfg020_returns_tuple_of_tensors",
        "raises:TypeError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def product(a, b):
            out = a * b
            grads = (b, a)
            return out, grads  # <- TFG020

        a = tf.constant([1.0, 2.0])
        b = tf.constant([3.0, 4.0])
        with tf.GradientTape() as tape:
            tape.watch([a, b])
            y = product(a, b)
        g = tape.gradient(y, [a, b])
    """,
    ),
    case(
        "tfg020_gradient_reversal_tensor_in_keras_layer",
        "raises:TypeError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        @tf.custom_gradient
        def grad_reverse(x):
            return tf.identity(x), -1.0 * tf.ones_like(x)  # <- TFG020

        class GradReverse(keras.layers.Layer):
            def call(self, x):
                return grad_reverse(x)

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), GradReverse(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # ----- near misses
    case(
        "tfg020_ok_nested_def",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def scale_grad(x):
            def grad(dy):
                return dy * 0.5
            return tf.identity(x), grad

        w = tf.Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(scale_grad(w * 3.0))
        RESULT = gradient_status(tape.gradient(loss, [w]))
    """,
    ),
    case(
        "tfg020_ok_lambda_in_tf_function",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def reverse(x):
            return tf.identity(x), lambda dy: -dy

        w = tf.Variable([1.0, 2.0])

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(reverse(w) * 2.0)
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step())
    """,
    ),
    case(
        "tfg020_ok_functools_partial",
        "ok",
        """
        import functools

        import tensorflow as tf

        def _scaled(scale, dy):
            return dy * scale

        @tf.custom_gradient
        def scale_grad(x):
            return tf.identity(x), functools.partial(_scaled, 0.5)

        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = scale_grad(x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    case(
        "tfg020_ok_grad_fn_factory_call",
        "ok",
        """
        import tensorflow as tf

        def make_clipper(limit):
            def clip(dy):
                return tf.clip_by_value(dy, -limit, limit)
            return clip

        @tf.custom_gradient
        def clipped_identity(x):
            return tf.identity(x), make_clipper(0.1)

        w = tf.Variable([1.0, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(clipped_identity(w) * 3.0)
        RESULT = gradient_status(tape.gradient(loss, [w]))
    """,
    ),
    case(
        "tfg020_ok_grad_fn_bound_to_name",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def log1pexp(x):
            e = tf.exp(x)
            grad_fn = lambda dy: dy * (1 - 1 / (1 + e))
            return tf.math.log(1 + e), grad_fn

        x = tf.constant([0.0, 100.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = log1pexp(x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
]

_FIXABLE = ["tfg020_calls_grad_fn_instead_of_returning_it", "tfg020_calls_grad_fn_in_tf_function"]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG020") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG020"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    src = FIXED[name]
    ast.parse(src)
    assert not findings_of(src, {"TFG020"})


def test_fix_returns_the_function_itself():
    assert "return tf.identity(x), grad\n" in FIXED["tfg020_calls_grad_fn_instead_of_returning_it__fixed"]
    assert "return x, _clip\n" in FIXED["tfg020_calls_grad_fn_in_tf_function__fixed"]


def test_no_fix_for_a_gradient_tensor():
    from gradls.analysis import analyze
    from gradls.fixes import fix_for

    src = next(c.source for c in CASES if c.name == "tfg020_returns_gradient_tensor")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG020"]
    assert fix_for(src, f) is None
    assert "unsupported callable" in f.message and "tf.ones_like(x)" in f.message
