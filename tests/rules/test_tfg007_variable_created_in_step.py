"""TFG007 variable-created-in-step: a variable created on every step instead of once."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg007_variable_in_tf_function",
        "raises:ValueError",
        """
        import tensorflow as tf

        @tf.function
        def scaled(x):
            w = tf.Variable(tf.ones_like(x))  # <- TFG007
            return tf.reduce_sum(x * w)

        with tf.GradientTape() as tape:
            x = tf.constant([1.0, 2.0])
            tape.watch(x)
            y = scaled(x)
    """,
    ),
    case(
        "tfg007_variable_in_model_call_fit",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        class Scaled(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def call(self, x):
                gain = tf.Variable(1.0, name="gain")  # <- TFG007
                return self.dense(x) * gain

        model = Scaled()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg007_add_weight_in_call",
        "raises:ValueError",
        """
        import tensorflow as tf

        class Bias(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")

            def call(self, x):
                b = self.add_weight(shape=(2,), initializer="zeros")  # <- TFG007
                return tf.matmul(x, self.w) + b

        layer = Bias()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(tf.ones((2, 3))))
    """,
    ),
    case(
        "tfg007_fresh_variable_every_eager_step",
        "raises:ValueError",
        """
        import tensorflow as tf

        opt = tf.keras.optimizers.SGD(0.1)
        x = tf.random.normal((4, 3))
        y = tf.random.normal((4, 1))
        for step in range(3):
            with tf.GradientTape() as tape:
                w = tf.Variable(tf.zeros((3, 1)))  # <- TFG007
                loss = tf.reduce_mean((tf.matmul(x, w) - y) ** 2)
            grads = tape.gradient(loss, [w])
            opt.apply_gradients(zip(grads, [w]))
    """,
    ),
    case(
        "tfg007_helper_called_from_layer_call_fit",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        def project(inputs, units):
            kernel = tf.Variable(tf.random.normal((inputs.shape[-1], units)))  # <- TFG007
            return tf.matmul(inputs, kernel)

        class Block(tf.keras.layers.Layer):
            def call(self, x):
                return tf.nn.relu(project(x, 4))

        model = tf.keras.Sequential([tf.keras.Input((3,)), Block(), tf.keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # ----- near misses
    case(
        "tfg007_ok_guarded_in_tf_function_module",
        "ok",
        """
        import tensorflow as tf

        class Scale(tf.Module):
            def __init__(self):
                self.w = None

            @tf.function
            def __call__(self, x):
                if self.w is None:
                    self.w = tf.Variable(tf.ones_like(x))
                return x * self.w

        m = Scale()
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(m(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, [m.w]))
    """,
    ),
    case(
        "tfg007_ok_weights_in_build_and_init_under_fit",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Affine(tf.keras.layers.Layer):
            def __init__(self, units):
                super().__init__()
                self.units = units
                self.scale = tf.Variable(1.0, name="scale")

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")
                self.b = self.add_weight(shape=(self.units,), initializer="zeros")

            def call(self, x):
                return (tf.matmul(x, self.w) + self.b) * self.scale

        model = tf.keras.Sequential([tf.keras.Input((3,)), Affine(2)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 2), "float32"), epochs=1, verbose=0)
        x = tf.ones((2, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg007_ok_variables_before_loop",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.zeros((3, 1)))
        b = tf.Variable(0.0)
        opt = tf.keras.optimizers.SGD(0.1)
        x = tf.random.normal((4, 3))
        y = tf.random.normal((4, 1))
        for step in range(3):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean((tf.matmul(x, w) + b - y) ** 2)
            grads = tape.gradient(loss, [w, b])
            opt.apply_gradients(zip(grads, [w, b]))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg007_ok_one_off_variable_in_tape",
        "ok",
        """
        import tensorflow as tf

        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            delta = tf.Variable(tf.zeros_like(x))
            loss = tf.reduce_sum((x + delta) ** 2)
        RESULT = gradient_status([tape.gradient(loss, delta)])
    """,
    ),
    case(
        "tfg007_ok_hasattr_guard_in_call",
        "ok",
        """
        import tensorflow as tf

        class Lazy(tf.keras.layers.Layer):
            def call(self, x):
                if not hasattr(self, "kernel"):
                    self.kernel = tf.Variable(tf.ones((x.shape[-1], 2)))
                return tf.matmul(x, self.kernel)

        layer = Lazy()
        x = tf.ones((2, 3))
        layer(x)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) ** 2)
        RESULT = gradient_status(tape.gradient(loss, [layer.kernel]))
    """,
    ),
    case(
        "tfg007_ok_counter_created_in_init_step_in_tf_function",
        "ok",
        """
        import tensorflow as tf

        class Trainer:
            def __init__(self):
                self.model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
                self.opt = tf.keras.optimizers.Adam(0.01)
                self.steps = self.make_counter()

            def make_counter(self):
                return tf.Variable(0, trainable=False)

            @tf.function
            def step(self, x, y):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean((self.model(x) - y) ** 2)
                grads = tape.gradient(loss, self.model.trainable_variables)
                self.opt.apply_gradients(zip(grads, self.model.trainable_variables))
                self.steps.assign_add(1)
                return grads

        t = Trainer()
        for _ in range(2):
            grads = t.step(tf.random.normal((4, 3)), tf.random.normal((4, 1)))
        RESULT = gradient_status(grads)
    """,
    ),
    # The shape of tensorflow-privacy 0.9.0 `clip_and_aggregate_gradients_test.py`: a helper builds fresh
    # variables and returns them with the loss; each test calls it once and takes one gradient with respect to
    # exactly those variables. Two callers are two tests, not two steps.
    case(
        "tfg007_ok_helper_returns_fresh_variables_to_each_test",
        "ok",
        """
        import tensorflow as tf

        def get_loss_and_vars():
            emb = tf.keras.layers.Embedding(4, 2)
            var1 = tf.Variable([[1.0], [1.0], [2.0]])
            val = emb(tf.constant([1, 2, 3]))
            return tf.reduce_sum(val) + tf.reduce_sum(var1 * 2.0), (emb.embeddings, var1)

        def test_gradients():
            with tf.GradientTape() as tape:
                loss, test_vars = get_loss_and_vars()
            return tape.gradient(loss, test_vars)

        def test_sum():
            with tf.GradientTape() as tape:
                loss, test_vars = get_loss_and_vars()
            return tape.gradient(loss, test_vars)

        RESULT = gradient_status([*test_gradients(), *test_sum()])
    """,
    ),
    case(
        # https://github.com/dhirajmaji7/Attention-Res-UNet-with-Guided-Decoder-for-Semantic-Segmentation-of-Brain-tumors/issues/1
        "tfg007_backend_variable_in_helper_of_compiled_loss",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import backend as K


        def weighted_log_loss(y_true, y_pred):
            weights = K.variable(np.array([1.0, 5.0], dtype="float32"))  # <- TFG007
            y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
            return -K.mean(K.sum(y_true * K.log(y_pred) * weights, -1))


        def total_loss(y_true, y_pred):
            return weighted_log_loss(y_true, y_pred)


        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss=total_loss)
        x = np.random.randn(8, 4).astype("float32")
        model.fit(x, np.eye(2, dtype="float32")[np.arange(8) % 2], epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg007_ok_backend_variable_made_once_outside_the_loss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.keras import backend as K

        class_weights = K.variable(np.array([1.0, 5.0], dtype="float32"))


        def weighted_log_loss(y_true, y_pred):
            y_pred = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
            return -K.mean(K.sum(y_true * K.log(y_pred) * class_weights, -1))


        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="adam", loss=weighted_log_loss)
        x = np.random.randn(8, 4).astype("float32")
        y = np.eye(2, dtype="float32")[np.arange(8) % 2]
        model.fit(x, y, epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = weighted_log_loss(tf.constant(y), model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Keras 3 locks a layer's state once it is built, before `call` runs: `add_weight` in `call` raises under a
    # lazy `if self.w is None:` guard and under an `if` on an argument (LightCTR#4's `if require_logit:`).
    case(
        "tfg007_keras3_add_weight_in_call_under_lazy_guard",
        "raises:ValueError",
        """
        import keras
        import numpy as np

        class Lazy(keras.layers.Layer):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.w = None

            def call(self, x):
                if self.w is None:
                    self.w = self.add_weight(shape=(x.shape[-1],), initializer="ones")  # <- TFG007
                return x * self.w

        Lazy()(np.ones((2, 4), "float32"))
    """,
    ),
    case(
        "tfg007_keras3_add_weight_in_call_under_argument_if",
        "raises:ValueError",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class Logit(keras.Model):
            def call(self, x, require_logit=True):
                if require_logit:
                    kernel = self.add_weight(shape=(x.shape[-1], 1), initializer="ones")  # <- TFG007
                    x = tf.matmul(x, kernel)
                return x

        Logit()(np.ones((2, 4), "float32"))
    """,
    ),
    # Near-miss: tf_keras (Keras 2) builds such lazy weights on the first call and trains them.
    case(
        "tfg007_ok_tf_keras_lazy_weight_in_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import tf_keras

        class Lazy(tf_keras.layers.Layer):
            def __init__(self, **kw):
                super().__init__(**kw)
                self.w = None

            def call(self, x):
                if self.w is None:
                    self.w = self.add_weight(shape=(x.shape[-1],), initializer="ones")
                return x * self.w

        layer = Lazy()
        layer(np.ones((2, 4), "float32"))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(np.ones((2, 4), "float32")))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # Fixed: the weight is made in `build`.
    case(
        "tfg007_ok_keras3_weight_made_in_build",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class Logit(keras.Model):
            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(input_shape[-1], 1), initializer="ones")

            def call(self, x, require_logit=True):
                if require_logit:
                    x = tf.matmul(x, self.kernel)
                return x

        model = Logit()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(np.ones((2, 4), "float32")))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG007"}) == c.expected
