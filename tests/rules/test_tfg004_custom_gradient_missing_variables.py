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
    # keras-team/tf-keras#197: a layer passes its Keras weight to a custom-gradient matmul. TF counts a
    # tf.Variable argument as an input, but a Keras 3 variable is not one: the tf.Variable inside it is read in
    # the forward pass (float32 too, not only under mixed precision).
    case(
        "tfg004_layer_passes_keras_weight_to_custom_gradient_function",
        "raises:TypeError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def custom_matmul(x, w):
            y = tf.matmul(x, w)

            def grad(dy):  # <- TFG004
                return tf.matmul(dy, w, transpose_b=True), tf.matmul(x, dy, transpose_a=True)

            return y, grad

        class CustomDense(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], 4), initializer="glorot_uniform")

            def call(self, inputs):
                return custom_matmul(inputs, self.kernel)

        layer = CustomDense()
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(layer(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(y, layer.trainable_variables))
    """,
    ),
    case(
        "tfg004_keras_variable_argument_at_module_level",
        "raises:TypeError",
        """
        import keras
        import tensorflow as tf

        kernel = keras.Variable([[1.0, 2.0], [3.0, 4.0]])

        @tf.custom_gradient
        def custom_matmul(x, w):
            def grad(dy):  # <- TFG004
                return tf.matmul(dy, w, transpose_b=True), tf.matmul(x, dy, transpose_a=True)

            return tf.matmul(x, w), grad

        with tf.GradientTape() as tape:
            y = tf.reduce_sum(custom_matmul(tf.ones((1, 2)), kernel))
        RESULT = gradient_status(tape.gradient(y, [kernel.value]))
    """,
    ),
    # Near-misses: a tf.Variable argument is an input of the custom-gradient function (TF gives grad_fn's second
    # result to it), and a Keras weight read (cast) before the call arrives as a tensor.
    case(
        "tfg004_ok_tf_variable_argument",
        "ok",
        """
        import tensorflow as tf

        kernel = tf.Variable([[1.0, 2.0], [3.0, 4.0]])

        @tf.custom_gradient
        def custom_matmul(x, w):
            def grad(dy):
                return tf.matmul(dy, w, transpose_b=True), tf.matmul(x, dy, transpose_a=True)

            return tf.matmul(x, w), grad

        with tf.GradientTape() as tape:
            y = tf.reduce_sum(custom_matmul(tf.ones((1, 2)), kernel))
        RESULT = gradient_status(tape.gradient(y, [kernel]))
    """,
    ),
    case(
        "tfg004_ok_layer_reads_keras_weight_before_the_call",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def custom_matmul(x, w):
            y = tf.matmul(x, w)

            def grad(dy):
                return tf.matmul(dy, w, transpose_b=True), tf.matmul(x, dy, transpose_a=True)

            return y, grad

        class CustomDense(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], 4), initializer="glorot_uniform")

            def call(self, inputs):
                return custom_matmul(inputs, tf.cast(self.kernel, inputs.dtype))

        layer = CustomDense()
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(layer(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(y, layer.trainable_variables))
    """,
    ),
    # tensorflow#41836 (held-out round K): only an eager call raises. The same layer trained by `fit` (its `call`
    # traced) and a Keras variable passed inside a `tf.function` build the gradient (measured under TF 2.21).
    case(
        "tfg004_ok_keras_weight_argument_layer_trained_by_fit",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        @tf.custom_gradient
        def scale(p, x):
            def grad(dy):
                return tf.reduce_sum(dy * x), dy * p

            return p * x, grad

        class Scale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.param = self.add_weight(name="param", shape=(), initializer="ones")

            def call(self, x):
                return scale(self.param, x)

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((1,)), layer])
        model.compile(optimizer="sgd", loss="mse")
        before = float(layer.param.numpy())
        model.fit(np.ones((8, 1), "float32"), np.zeros((8, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["zero" if float(layer.param.numpy()) == before else "ok"]
    """,
    ),
    case(
        "tfg004_ok_keras_variable_argument_in_tf_function",
        "ok",
        """
        import keras
        import tensorflow as tf

        p = keras.Variable(2.0)

        @tf.custom_gradient
        def scale(q, x):
            def grad(dy):
                return tf.reduce_sum(dy * x), dy * q

            return q * x, grad

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                y = tf.reduce_sum(scale(p, x))
            return tape.gradient(y, [p.value])

        RESULT = gradient_status(step(tf.constant([1.0, 2.0])))
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG004"}) == c.expected
