"""TFG005 custom-gradient-arity: the grad_fn returns the wrong number of input gradients."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg005_python_number_input",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def soft_clip(x, limit):
            y = limit * tf.tanh(x / limit)
            def grad(dy):
                return dy * (1.0 - tf.tanh(x / limit) ** 2)  # <- TFG005
            return y, grad

        x = tf.Variable([0.5, 4.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(soft_clip(x, 3.0))
        RESULT = gradient_status([tape.gradient(loss, x)])
    """,
    ),
    case(
        "tfg005_too_few_in_tf_function",
        "raises:InternalError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def weighted_product(a, b):
            def grad(dy):
                return dy * b  # <- TFG005
            return a * b, grad

        a = tf.Variable(2.0)
        b = tf.Variable(3.0)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = weighted_product(a, b)
            return tape.gradient(loss, [a, b])

        RESULT = gradient_status(step())
    """,
    ),
    case(
        "tfg005_too_many_eager",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def log1pexp(x):
            e = tf.exp(x)
            def grad(upstream):
                return upstream * (1 - 1 / (1 + e)), tf.zeros_like(x)  # <- TFG005
            return tf.math.log(1 + e), grad

        x = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            y = log1pexp(x)
        RESULT = gradient_status([tape.gradient(y, x)])
    """,
    ),
    case(
        "tfg005_two_tensors_one_grad_in_layer",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def clipped_mul(x, scale):
            def grad_fn(dy):
                g = tf.clip_by_value(dy * scale, -1.0, 1.0)
                return g  # <- TFG005
            return x * scale, grad_fn

        class Scaled(tf.keras.layers.Layer):
            def call(self, x):
                return clipped_mul(x, tf.ones_like(x) * 2.0)

        x = tf.Variable(tf.ones((2, 3)))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(Scaled()(x))
        RESULT = gradient_status([tape.gradient(loss, x)])
    """,
    ),
    # ----- near misses
    case(
        "tfg005_ok_python_number_none_grad",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def soft_clip(x, limit):
            y = limit * tf.tanh(x / limit)
            def grad(dy):
                return dy * (1.0 - tf.tanh(x / limit) ** 2), None
            return y, grad

        x = tf.Variable([0.5, 4.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(soft_clip(x, 3.0))
        RESULT = gradient_status([tape.gradient(loss, x)])
    """,
    ),
    case(
        "tfg005_ok_variables_pair",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        @tf.custom_gradient
        def scaled(x):
            def grad(dy, variables=None):
                return dy * w, [dy * x]
            return x * w, grad

        x = tf.Variable(3.0)
        with tf.GradientTape() as tape:
            out = scaled(x)
        RESULT = gradient_status(tape.gradient(out, [x, w]))
    """,
    ),
    case(
        "tfg005_ok_default_argument_not_passed",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def leaky_clip(x, slope=0.1):
            def grad(dy):
                return dy * tf.where(tf.abs(x) < 1.0, 1.0, slope)
            return tf.clip_by_value(x, -1.0, 1.0), grad

        x = tf.Variable([0.5, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(leaky_clip(x))
        RESULT = gradient_status([tape.gradient(loss, x)])
    """,
    ),
    case(
        "tfg005_ok_tuple_built_in_grad_fn_tf_function",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def mul(a, b):
            def grad(dy):
                grads = (dy * b, dy * a)
                return grads
            return a * b, grad

        a = tf.Variable(2.0)
        b = tf.Variable(3.0)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = mul(a, b)
            return tape.gradient(loss, [a, b])

        RESULT = gradient_status(step())
    """,
    ),
    case(
        "tfg005_ok_list_comprehension_grads",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def scale_all(a, b, c):
            def grad(dy):
                return [dy * 2.0 for _ in range(3)]
            return (a + b + c) * 2.0, grad

        vs = [tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)]
        with tf.GradientTape() as tape:
            loss = scale_all(*vs)
        RESULT = gradient_status(tape.gradient(loss, vs))
    """,
    ),
    case(
        "tfg005_ok_clip_gradient_identity",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def clip_gradients(x):
            def grad(dy):
                return tf.clip_by_norm(dy, 1.0)
            return tf.identity(x), grad

        model = tf.keras.Sequential([tf.keras.layers.Dense(2)])
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(clip_gradients(model(x)) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # tensorflow/tensorflow#26048: grad_fn gets one upstream gradient tensor per output, so `return dy, dy` is two
    # gradients for a one-input function.
    case(
        "tfg005_grad_returns_upstream_twice_for_one_input",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def identity(x):
            def grad(dy):
                return dy, dy  # <- TFG005
            return x, grad

        x = tf.Variable(1.0)
        with tf.GradientTape() as t:
            y = identity(x)
        RESULT = gradient_status(t.gradient(y, [x]))
    """,
    ),
    case(
        "tfg005_ok_two_outputs_one_input_one_upstream_each",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def double_and_triple(x):
            def grad(da, db):
                return da * 2.0 + db * 3.0
            return (x * 2.0, x * 3.0), grad

        x = tf.Variable(1.0)
        with tf.GradientTape() as t:
            a, b = double_and_triple(x)
            y = a + b
        RESULT = gradient_status(t.gradient(y, [x]))
    """,
    ),
    # Issue 10, held-out round M (tensorflow#65839): called eagerly with every input by keyword, the custom-gradient
    # op is recorded with no inputs: the grad_fn is never called and the gradient is TensorFlow's own (2, not 100).
    case(
        "tfg005_keywords_only_call_ignores_grad_fn",
        "raises:AssertionError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def scaled_grad(x):
            def grad(dy):
                return dy * 100.0
            return x * 2.0, grad

        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = scaled_grad(x=x)  # <- TFG005
        g = tape.gradient(y, x)
        assert float(g[0]) == 100.0, f"custom gradient not used: {g.numpy()}"
        RESULT = gradient_status([g])
    """,
    ),
    # Traced (a tf.function, a Keras layer's call while the model is built), any keyword argument raises.
    case(
        "tfg005_keyword_call_in_tf_function",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def weighted(x, w):
            def grad(dy):
                return dy * w, dy * x
            return x * w, grad

        @tf.function
        def step(x, w):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = weighted(x, w=w)  # <- TFG005
            return tape.gradient(y, x)

        RESULT = gradient_status([step(tf.constant(1.0), tf.constant(3.0))])
    """,
    ),
    case(
        "tfg005_keyword_call_in_layer_call",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        @tf.custom_gradient
        def clip_grad(x):
            def grad(dy):
                return tf.clip_by_value(dy, -1.0, 1.0)
            return tf.identity(x), grad

        class ClipGrad(keras.layers.Layer):
            def call(self, inputs):
                return clip_grad(x=inputs)  # <- TFG005

        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), ClipGrad(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 2), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
    """,
    ),
    # Near miss: keywords on a plain function, and a custom-gradient function called positionally in both modes.
    case(
        "tfg005_ok_keywords_on_plain_function_positional_custom_gradient",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def scaled_grad(x):
            def grad(dy):
                return dy * 100.0
            return x * 2.0, grad

        def forward(x, scale=1.0):
            return scaled_grad(x) * scale

        @tf.function
        def traced(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = forward(x=x, scale=2.0)
            return tape.gradient(y, x)

        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = forward(x=x, scale=2.0)
        g = tape.gradient(y, x)
        assert float(g[0]) == 200.0
        RESULT = gradient_status([g, traced(x)])
    """,
    ),
    # Fixed: the same call with the tensor passed positionally.
    case(
        "tfg005_ok_keywords_only_call_made_positional",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def scaled_grad(x):
            def grad(dy):
                return dy * 100.0
            return x * 2.0, grad

        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = scaled_grad(x)
        g = tape.gradient(y, x)
        assert float(g[0]) == 100.0
        RESULT = gradient_status([g])
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG005"}) == c.expected
