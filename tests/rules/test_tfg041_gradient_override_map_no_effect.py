"""TFG041 gradient-override-map-no-effect: a TF 1 gradient_override_map that TensorFlow never uses."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # tensorflow/tensorflow#36870 (held-out round J), in the straight-through form of binarized networks: the
    # override entered inside an eager tape's block. The tape differentiates tf.sign with its own gradient (zeros).
    case(
        "tfg041_eager_tape_around_sign_identity_override",
        "zero",
        """
        import tensorflow as tf

        x = tf.constant([-1.0, 0.5, 2.0])
        g = tf.compat.v1.get_default_graph()
        with tf.GradientTape() as tape:
            tape.watch(x)
            with g.gradient_override_map({"Sign": "Identity"}):  # <- TFG041
                y = tf.sign(x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    # The same inside a tf.function whose tape is in the function too: the tape still ignores the override.
    case(
        "tfg041_tape_inside_tf_function_around_override",
        "zero",
        """
        import tensorflow as tf

        @tf.function
        def grad_of_binarized(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                with tf.compat.v1.get_default_graph().gradient_override_map({"Sign": "Identity"}):  # <- TFG041
                    y = tf.sign(x) * 2.0
            return tape.gradient(y, x)

        RESULT = gradient_status([grad_of_binarized(tf.constant([-1.0, 0.5, 2.0]))])
    """,
    ),
    # tensorflow/tensorflow#36870's own shape: the override entered around a call of an already traced concrete
    # function (tf.round: no gradient, so None).
    case(
        "tfg041_override_around_traced_concrete_function",
        "none",
        """
        import tensorflow as tf

        @tf.function(input_signature=(tf.TensorSpec(shape=(None,), dtype=tf.float32),))
        def quantize(x):
            return tf.round(x)

        quantize_conc = quantize.get_concrete_function()
        x = tf.constant([-1.2, 0.4, 2.6])
        with tf.GradientTape() as tape:
            with quantize_conc.graph.gradient_override_map({"Round": "Identity"}):  # <- TFG041
                tape.watch(x)
                y = quantize_conc(x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    # Near-miss: the override entered while a tf.function traces, the tape outside: the function's backward graph
    # is built by the graph gradient machinery, which honours the override (gradient 1 through Identity).
    case(
        "tfg041_ok_override_inside_tf_function_tape_outside",
        "ok",
        """
        import tensorflow as tf

        @tf.function
        def binarize(x):
            with tf.compat.v1.get_default_graph().gradient_override_map({"Sign": "Identity"}):
                return tf.sign(x)

        x = tf.constant([-1.0, 0.5, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = binarize(x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    # tensorflow/tensorflow#8608 (held-out round J) and #8138: the key is not the op type, which the map matches
    # exactly ("sign" for tf.sign, whose type is Sign): the override is never used, tf.sign's gradient is zeros.
    case(
        "tfg041_lowercase_key_not_op_type",
        "zero",
        """
        import tensorflow as tf

        @tf.function
        def binarize(x):
            with tf.compat.v1.get_default_graph().gradient_override_map({"sign": "Identity"}):  # <- TFG041
                return tf.sign(x)

        x = tf.constant([-1.0, 0.5, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = binarize(x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    # The fixed program: a straight-through estimator written with tf.custom_gradient.
    case(
        "tfg041_ok_custom_gradient_straight_through",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def binarize(x):
            def grad(dy):
                return dy

            return tf.sign(x), grad

        x = tf.constant([-1.0, 0.5, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = binarize(x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG041"}) == c.expected
