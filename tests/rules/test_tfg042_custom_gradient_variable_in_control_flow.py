"""TFG042 custom-gradient-variable-in-control-flow: a grad_fn reading an outside tf.Variable, under tf.cond /
tf.while_loop in a tf.function with a recording tape."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # tensorflow/tensorflow#50170 (held-out round J), as posted.
    case(
        "tfg042_cond_branch_grad_fn_reads_frozen_variable",
        "raises:AttributeError",
        """
        import tensorflow as tf

        w = tf.Variable(2.0, trainable=False)

        @tf.function
        def test(x):
            @tf.custom_gradient
            def multiply_by_w(x):
                y = w * x

                def grad_fn(grad_y):
                    return grad_y * w

                return (y, grad_fn)

            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.cond(tf.constant(True), lambda: multiply_by_w(x), lambda: x)  # <- TFG042

            return tape.gradient(y, x)

        RESULT = gradient_status([test(tf.constant(5.0))])
    """,
    ),
    # The same grad_fn, a module-level custom_gradient function in a tf.while_loop body.
    case(
        "tfg042_while_loop_body_grad_fn_reads_variable",
        "raises:ValueError",
        """
        import tensorflow as tf

        scale = tf.Variable(3.0, trainable=False)

        @tf.custom_gradient
        def scaled(x):
            def grad_fn(dy):
                return dy * scale

            return x * scale, grad_fn

        @tf.function
        def run(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.while_loop(lambda i, a: i < 2, lambda i, a: (i + 1, scaled(a)), (0, x))[1]  # <- TFG042
            return tape.gradient(y, x)

        RESULT = gradient_status([run(tf.constant(1.0))])
    """,
    ),
    # Near-miss: the same custom_gradient called directly in the tf.function (no cond): the gradient is built.
    case(
        "tfg042_ok_no_control_flow",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0, trainable=False)

        @tf.custom_gradient
        def multiply_by_w(x):
            def grad_fn(grad_y):
                return grad_y * w

            return w * x, grad_fn

        @tf.function
        def test(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = multiply_by_w(x)
            return tape.gradient(y, x)

        RESULT = gradient_status([test(tf.constant(5.0))])
    """,
    ),
    # Near-miss: tf.cond run eagerly (no tf.function): the gradient is built.
    case(
        "tfg042_ok_eager_cond",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0, trainable=False)

        @tf.custom_gradient
        def multiply_by_w(x):
            def grad_fn(grad_y):
                return grad_y * w

            return w * x, grad_fn

        x = tf.constant(5.0)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.cond(tf.constant(True), lambda: multiply_by_w(x), lambda: x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    # The fixed program: the variable's value read in the forward pass, the grad_fn closes over that tensor.
    case(
        "tfg042_ok_value_read_in_forward",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0, trainable=False)

        @tf.function
        def test(x):
            @tf.custom_gradient
            def multiply_by_w(x):
                w_value = tf.identity(w)

                def grad_fn(grad_y):
                    return grad_y * w_value

                return w_value * x, grad_fn

            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.cond(tf.constant(True), lambda: multiply_by_w(x), lambda: x)
            return tape.gradient(y, x)

        RESULT = gradient_status([test(tf.constant(5.0))])
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG042"}) == c.expected
