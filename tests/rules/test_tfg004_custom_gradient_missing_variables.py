"""TFG004 custom-gradient-missing-variables: TensorFlow raises at the forward call."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg004_module_variable",
        "raises:TypeError",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        @tf.custom_gradient
        def scaled(x):
            y = x * w
            def grad(dy):  # <- TFG004
                return dy * w
            return y, grad

        with tf.GradientTape() as tape:
            out = scaled(tf.constant(3.0))
    """,
    ),
    case(
        "tfg004_seed_layer_method",
        "raises:TypeError",
        """
        import tensorflow as tf

        class CustomLayer(tf.keras.layers.Layer):
            def __init__(self, units, **kwargs):
                super().__init__(**kwargs)
                self.dense = tf.keras.layers.Dense(units)

            @tf.custom_gradient
            def call(self, inputs):
                x = self.dense(inputs)
                def grad_fn(dy):  # <- TFG004
                    return tf.matmul(dy, tf.transpose(self.dense.kernel))
                return x, grad_fn

        layer = CustomLayer(5)
        layer(tf.random.normal((1, 10)))
    """,
    ),
    case(
        "tfg004_singular_variable_kwarg",
        "raises:TypeError",
        """
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def call(self, x):
                @tf.custom_gradient
                def forward(x):
                    def grad(dy, variable=None):  # <- TFG004
                        return dy * self.w
                    return x * self.w, grad
                return forward(x)

        Scale()(tf.ones((2, 3)))
    """,
    ),
    case(
        "tfg004_lambda_grad_fn",
        "raises:TypeError",
        """
        import tensorflow as tf

        bias = tf.Variable(1.0)

        @tf.custom_gradient
        def shifted(x):
            return x + bias, lambda dy: dy  # <- TFG004

        shifted(tf.constant(1.0))
    """,
    ),
    # ----- near misses
    case(
        "tfg004_ok_variables_kwarg",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        @tf.custom_gradient
        def scaled(x):
            y = x * w
            def grad(dy, variables=None):
                return dy * w, [dy * x]
            return y, grad

        with tf.GradientTape() as tape:
            out = scaled(tf.constant(3.0))
        RESULT = gradient_status([tape.gradient(out, w)])
    """,
    ),
    case(
        "tfg004_ok_kwargs",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        @tf.custom_gradient
        def scaled(x):
            def grad(dy, **kwargs):
                return dy * w, [dy * x for _ in kwargs["variables"]]
            return x * w, grad

        with tf.GradientTape() as tape:
            out = scaled(tf.constant(3.0))
        RESULT = gradient_status([tape.gradient(out, w)])
    """,
    ),
    case(
        "tfg004_ok_non_trainable_and_arguments",
        "ok",
        """
        import tensorflow as tf

        scale = tf.Variable(2.0, trainable=False)
        w = tf.Variable(3.0)

        @tf.custom_gradient
        def mul(x, v):
            def grad(dy):
                return dy * v * scale, dy * x * scale
            return x * v * scale, grad

        with tf.GradientTape() as tape:
            out = mul(tf.constant(1.5), w)
        RESULT = gradient_status([tape.gradient(out, w)])
    """,
    ),
    case(
        "tfg004_ok_seed_matmul_no_variables",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def custom_matmul(a, b):
            result = tf.matmul(a, b)
            def grad_fn(dy):
                return tf.matmul(dy, tf.transpose(b)), tf.matmul(tf.transpose(a), dy)
            return result, grad_fn

        a = tf.random.normal((3, 4))
        b = tf.random.normal((4, 5))
        with tf.GradientTape() as tape:
            tape.watch(a)
            tape.watch(b)
            result = custom_matmul(a, b)
        RESULT = gradient_status(tape.gradient(result, [a, b]))
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG004"}) == c.expected
