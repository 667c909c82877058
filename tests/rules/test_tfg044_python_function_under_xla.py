"""TFG044 python-function-under-xla: XLA cannot compile `tf.py_function` / `tf.numpy_function`."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # tensorflow#51493 (held-out round K): the loss goes through tf.py_function in a method the
    # tf.function(jit_compile=True) training loop calls.
    case(
        "tfg044_py_function_loss_in_jit_compiled_step",
        "raises:InvalidArgumentError",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones((2, 4)))
        opt = tf.keras.optimizers.SGD(0.1)

        class Trainer:
            def compare(self, y_true, y_pred):
                return tf.square(y_true - y_pred)

            def loss_fn(self, x):
                out = tf.matmul(x, w)
                comp = tf.py_function(self.compare, [tf.ones((1, 4)), out], tf.float32)  # <- TFG044
                return tf.reduce_mean(comp)

            @tf.function(jit_compile=True)
            def run(self, x):
                with tf.GradientTape() as tape:
                    loss = self.loss_fn(x)
                grads = tape.gradient(loss, [w])
                opt.apply_gradients(zip(grads, [w]))

        trainer = Trainer()
        trainer.run(tf.constant([[7.0, 3.0]]))
    """,
    ),
    case(
        "tfg044_numpy_function_in_helper_of_jit_function",
        "raises:InvalidArgumentError",
        """
        import numpy as np
        import tensorflow as tf

        def clip(x):
            return tf.numpy_function(lambda a: np.clip(a, 0, 1), [x], tf.float32)  # <- TFG044

        @tf.function(jit_compile=True)
        def forward(x):
            return clip(x * 2.0)

        forward(tf.ones(3))
    """,
    ),
    case(
        "tfg044_tf_function_wrapper_with_jit_compile",
        "raises:InvalidArgumentError",
        """
        import tensorflow as tf

        def double(x):
            return tf.py_function(lambda a: a * 2, [x], tf.float32)  # <- TFG044

        fast = tf.function(double, jit_compile=True)
        fast(tf.ones(3))
    """,
    ),
    case(
        "tfg044_py_function_loss_compiled_with_jit_compile",
        "raises:InvalidArgumentError",
        """
        import numpy as np
        import tensorflow as tf

        def loss(y_true, y_pred):
            return tf.reduce_mean(tf.py_function(lambda a, b: (a - b) ** 2, [y_true, y_pred], tf.float32))  # <- TFG044

        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=loss, jit_compile=True)
        model.fit(np.ones((4, 2)), np.ones((4, 1)), verbose=0)
    """,
    ),
    # Near-misses: the same code without XLA (a plain tf.function; compile's default jit_compile="auto", which
    # does not compile on CPU here, and jit_compile=False) trains: the py_function runs TF ops, which TF
    # differentiates.
    case(
        "tfg044_ok_py_function_in_plain_tf_function",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(tf.ones((2, 4)))

        def compare(y_true, y_pred):
            return tf.square(y_true - y_pred)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                out = tf.matmul(x, w)
                loss = tf.reduce_mean(tf.py_function(compare, [tf.zeros((1, 4)), out], tf.float32))
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step(tf.constant([[7.0, 3.0]])))
    """,
    ),
    case(
        "tfg044_ok_py_function_loss_compiled_without_jit",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        def loss(y_true, y_pred):
            return tf.reduce_mean(tf.py_function(lambda a, b: (a - b) ** 2, [y_true, y_pred], tf.float32))

        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=loss, jit_compile=False)
        before = model.layers[0].kernel.numpy().copy()
        model.fit(np.ones((4, 2)), np.zeros((4, 1)), verbose=0)
        RESULT = ["zero" if np.allclose(before, model.layers[0].kernel.numpy()) else "ok"]
    """,
    ),
    # The layer reached through a model a factory builds (`model = build_model()`), called in the compiled step.
    case(
        "tfg044_numpy_function_layer_in_factory_model_under_jit",
        "raises:InvalidArgumentError",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        def np_clip(x):
            return np.clip(x, -1.0, 1.0).astype(np.float32)

        class NumpyClip(keras.layers.Layer):
            def call(self, x):
                y = tf.numpy_function(np_clip, [x], tf.float32)  # <- TFG044
                y.set_shape(x.shape)
                return y

        def build_model():
            return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), NumpyClip(), keras.layers.Dense(1)])

        model = build_model()

        @tf.function(jit_compile=True)
        def predict(x):
            return model(x)

        predict(tf.ones((2, 4)))
    """,
    ),
    # Near-miss: the factory model holding the NumPy layer runs eagerly; the compiled step calls another model.
    case(
        "tfg044_ok_numpy_layer_model_not_compiled",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        def np_clip(x):
            return np.clip(x, -1.0, 1.0).astype(np.float32)

        class NumpyClip(keras.layers.Layer):
            def call(self, x):
                y = tf.numpy_function(np_clip, [x], tf.float32)
                y.set_shape(x.shape)
                return y

        def build_preprocessor():
            return keras.Sequential([keras.Input((4,)), NumpyClip()])

        def build_model():
            return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), keras.layers.Dense(1)])

        pre = build_preprocessor()
        model = build_model()
        opt = keras.optimizers.SGD(0.1)

        @tf.function(jit_compile=True)
        def train_step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(model(x) - y))
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return grads

        RESULT = gradient_status(train_step(pre(tf.ones((2, 4)) * 3.0), tf.ones((2, 1))))
    """,
    ),
    # `model.compile(..., jit_compile=True)`: `fit` runs every layer's `call` under XLA.
    case(
        "tfg044_py_function_layer_trained_by_fit_with_jit_compile",
        "raises:InvalidArgumentError",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class PyScale(keras.layers.Layer):
            def call(self, x):
                y = tf.py_function(lambda t: t * 2.0, [x], tf.float32)  # <- TFG044
                y.set_shape(x.shape)
                return y

        model = keras.Sequential([keras.Input((4,)), PyScale(), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse", jit_compile=True)
        model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # Near-miss: the default `jit_compile="auto"` leaves XLA off on a CPU-only machine (Keras 3 turns it on only
    # when a GPU is visible), and `jit_compile=False` always: the same layer trains.
    case(
        "tfg044_ok_py_function_layer_fit_without_jit_compile",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class PyScale(keras.layers.Layer):
            def call(self, x):
                y = tf.py_function(lambda t: t * 2.0, [x], tf.float32)
                y.set_shape(x.shape)
                return y

        model = keras.Sequential([keras.Input((4,)), PyScale(), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse", jit_compile=False)
        model.fit(np.ones((8, 4), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # Near-miss: two functions each build a functional model; the one holding the NumPy layer is only used eagerly,
    # the compiled step calls the other. The layers a functional model runs are those made where it is built.
    case(
        "tfg044_ok_numpy_layer_in_another_functions_model",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        class NumpyClip(keras.layers.Layer):
            def call(self, x):
                y = tf.numpy_function(lambda a: np.clip(a, -1.0, 1.0).astype(np.float32), [x], tf.float32)
                y.set_shape(x.shape)
                return y

        def preview(x):
            inputs = keras.Input((4,))
            model = keras.Model(inputs, NumpyClip()(inputs))
            return model(x)

        def train(x, y):
            inputs = keras.Input((4,))
            model = keras.Model(inputs, keras.layers.Dense(1)(inputs))
            opt = keras.optimizers.SGD(0.1)

            @tf.function(jit_compile=True)
            def step(x, y):
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(tf.square(model(x) - y))
                grads = tape.gradient(loss, model.trainable_variables)
                opt.apply_gradients(zip(grads, model.trainable_variables))
                return grads

            return step(x, y)

        preview(tf.ones((2, 4)))
        RESULT = gradient_status(train(tf.ones((2, 4)), tf.ones((2, 1))))
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG044"}) == c.expected
