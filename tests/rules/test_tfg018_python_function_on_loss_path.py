"""TFG018 python-function-on-loss-path: `tf.numpy_function` has no gradient; `tf.py_function` around NumPy
code passes back zeros."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg018_numpy_function_eager_tape",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])

        def np_square(x):
            return np.square(x)

        with tf.GradientTape() as tape:
            y = tf.numpy_function(np_square, [w * 2.0], tf.float32)  # <- TFG018
            loss = tf.reduce_sum(y)
        RESULT = gradient_status(tape.gradient(loss, [w]))
    """,
    ),
    case(
        "tfg018_numpy_function_loss_in_tf_function_step",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.Adam(0.1)

        def np_loss(p, t):
            return np.mean((p - t) ** 2).astype(np.float32)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                pred = model(x, training=True)
                loss = tf.numpy_function(np_loss, [pred, y], tf.float32)  # <- TFG018
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        train_step(tf.random.normal((4, 3)), tf.random.normal((4, 1)))
    """,
    ),
    case(
        "tfg018_numpy_function_in_compiled_loss",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def l1_loss(y_true, y_pred):
            d = tf.numpy_function(lambda a, b: np.abs(a - b), [y_true, y_pred], tf.float32)  # <- TFG018
            return tf.reduce_mean(d)

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=l1_loss)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg018_numpy_function_in_layer_call_under_fit",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class NpClip(keras.layers.Layer):
            def call(self, x):
                y = tf.numpy_function(lambda a: np.clip(a, -1.0, 1.0), [x], tf.float32)  # <- TFG018
                return tf.ensure_shape(y, x.shape)

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), NpClip(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg018_py_function_with_numpy_inside",
        "zero",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        b = tf.Variable(0.5)

        def smooth(t):
            return np.tanh(t.numpy())

        with tf.GradientTape() as tape:
            h = tf.py_function(smooth, [w * 3.0], tf.float32)  # <- TFG018
            loss = tf.reduce_sum(h) + b
        RESULT = gradient_status(tape.gradient(loss, [w, b]))
    """,
    ),
    case(
        "tfg018_compat_py_func_on_model_output",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.SGD(0.1)
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            pred = model(x)
            sq = tf.compat.v1.py_func(np.square, [pred], tf.float32)  # <- TFG018
            loss = tf.reduce_mean(sq)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
    """,
    ),
    # ----- near misses
    case(
        "tfg018_ok_numpy_function_in_dataset_map",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        def load(i):
            return np.full(3, i, dtype=np.float32)

        ds = tf.data.Dataset.range(4).map(lambda i: tf.numpy_function(load, [i], tf.float32))
        w = tf.Variable(tf.ones((3,)))
        opt = tf.keras.optimizers.SGD(0.1)
        for x in ds:
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(w * x)
            grads = tape.gradient(loss, [w])
            opt.apply_gradients(zip(grads, [w]))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg018_ok_numpy_function_metric_only",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.SGD(0.1)
        x = tf.random.normal((4, 3))
        y = tf.random.normal((4, 1))
        with tf.GradientTape() as tape:
            pred = model(x)
            loss = tf.reduce_mean((pred - y) ** 2)
            mae = tf.numpy_function(lambda a, b: np.mean(np.abs(a - b)).astype(np.float32), [pred, y], tf.float32)
        grads = tape.gradient(loss, model.trainable_variables)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        print("mae", float(mae))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg018_ok_py_function_with_tf_ops",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])

        def soft_abs(t):
            return tf.sqrt(t * t + 1e-3)

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                y = tf.py_function(soft_abs, [w * 2.0], tf.float32)
                loss = tf.reduce_sum(y)
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step())
    """,
    ),
    case(
        "tfg018_ok_numpy_function_on_labels_only",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        def smoothed_mse(y_true, y_pred):
            target = tf.numpy_function(lambda t: (t * 0.9 + 0.05).astype(np.float32), [y_true], tf.float32)
            target = tf.ensure_shape(target, y_pred.shape)
            return tf.reduce_mean(tf.square(target - y_pred))

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=smoothed_mse)
        model.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = smoothed_mse(tf.ones((2, 1)), model(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg018_ok_numpy_function_logged_with_tf_print",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([1.0, -2.0])
        with tf.GradientTape() as tape:
            y = w * 3.0
            tf.print("median", tf.numpy_function(np.median, [y], tf.float32))
            loss = tf.reduce_sum(y ** 2)
        RESULT = gradient_status(tape.gradient(loss, [w]))
    """,
    ),
    # tensorflow#43916 (near-miss): the NumPy sine has its own grad_fn; TF differentiates the custom-gradient
    # function with it, never through the numpy_function inside, so the Dense layer before it trains.
    case(
        "tfg018_ok_numpy_function_inside_custom_gradient_forward",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        @tf.custom_gradient
        def np_sin(x):
            def sin_and_cos(a):
                return (np.sin(a), np.cos(a))

            (y, dy_dx) = tf.numpy_function(sin_and_cos, [x], [tf.float32, tf.float32])
            y.set_shape(x.shape)
            dy_dx.set_shape(x.shape)
            return y, lambda dy: dy * dy_dx

        inp = tf.keras.Input((2,))
        out = tf.keras.layers.Lambda(np_sin)(tf.keras.layers.Dense(2)(inp))
        model = tf.keras.Model(inp, out)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(np.array([[0.3, 0.7], [0.1, 0.9]], np.float32)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        # https://github.com/tensorflow/tensorflow/issues/35713 (shape): a compiled loss made by a factory collects
        # numpy_function results in a list that it reduces
        "tfg018_numpy_function_in_loss_factory_list",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf

        def ranks(v):
            return np.argsort(np.argsort(v)).astype(np.float32)

        def make_loss(columns):
            def loss(y_true, y_pred):
                parts = []
                for c in range(columns):
                    r = tf.numpy_function(ranks, [y_pred[:, c]], tf.float32)  # <- TFG018
                    parts.append(tf.reduce_mean(tf.square(r - y_true[:, c])))
                return tf.add_n(parts)

            return loss

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
        model.compile(optimizer="sgd", loss=make_loss(2))
        model.fit(np.ones((8, 4), "float32"), np.ones((8, 2), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg018_ok_numpy_function_in_loss_factory_only_logged",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        def ranks(v):
            return np.argsort(np.argsort(v)).astype(np.float32)

        seen = []

        def make_loss(columns):
            def loss(y_true, y_pred):
                for c in range(columns):
                    seen.append(tf.numpy_function(ranks, [y_pred[:, c]], tf.float32))
                return tf.reduce_mean(tf.square(y_pred - y_true))

            return loss

        model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(2)])
        model.compile(optimizer="sgd", loss=make_loss(2))
        model.fit(np.ones((8, 4), "float32"), np.zeros((8, 2), "float32"), epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            value = make_loss(2)(tf.zeros((8, 2)), model(np.ones((8, 4), "float32")))
        RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
    """,
    ),
]


# Issue 10 (engine, tensorflow#40717): a `tf.py_function` on the input of a layer class counts only where some
# instance is applied after something differentiable; `lambda_layers.from_unweighted_input` tells, from every
# application of the class (each to a value with nothing differentiable in it: silent).
CASES += [
    case(
        "tfg018_py_function_on_layer_input_after_dense",
        "raises:InvalidArgumentError",
        """
        import numpy as np
        import tensorflow as tf


        def dct_np(x):
            n = x.shape[-1]
            k = np.arange(n)
            basis = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2.0 / n)
            return (x @ basis.T).astype(np.float32)


        class SpectralScale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=True)

            def call(self, inputs):
                spectrum = tf.py_function(lambda t: dct_np(t.numpy()), [inputs], tf.float32)  # <- TFG018
                spectrum.set_shape(inputs.shape)
                return spectrum * self.w


        dense = tf.keras.layers.Dense(10)
        scale = SpectralScale()
        x = tf.constant(np.random.rand(4, 6).astype("float32"))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(scale(dense(x))))
        RESULT = gradient_status(tape.gradient(loss, dense.trainable_variables + scale.trainable_variables))
    """,
    ),
    case(
        "tfg018_py_function_on_layer_input_applied_to_data",
        "ok",
        """
        import numpy as np
        import tensorflow as tf


        def dct_np(x):
            n = x.shape[-1]
            k = np.arange(n)
            basis = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2.0 / n)
            return (x @ basis.T).astype(np.float32)


        class SpectralScale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=True)

            def call(self, inputs):
                spectrum = tf.py_function(lambda t: dct_np(t.numpy()), [inputs], tf.float32)
                spectrum.set_shape(inputs.shape)
                return spectrum * self.w


        scale = SpectralScale()
        x = tf.constant(np.random.rand(4, 6).astype("float32"))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(scale(x)))
        RESULT = gradient_status(tape.gradient(loss, scale.trainable_variables))
    """,
    ),
    case(
        "tfg018_two_py_functions_only_the_weighted_one",
        "raises:InvalidArgumentError",
        """
        import numpy as np
        import tensorflow as tf


        def dct_np(x):
            n = x.shape[-1]
            k = np.arange(n)
            basis = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2.0 / n)
            basis[0] /= np.sqrt(2.0)
            return (x @ basis.T).astype(np.float32)


        def idct_np(x):
            n = x.shape[-1]
            k = np.arange(n)
            basis = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2.0 / n)
            basis[0] /= np.sqrt(2.0)
            return (x @ basis).astype(np.float32)


        class MyDenseLayer(tf.keras.layers.Layer):
            def __init__(self, y_mat):
                super().__init__()
                self.w_mat = y_mat

            def build(self, input_shape):
                self.w = self.add_weight(shape=(10,), initializer=tf.constant_initializer(self.w_mat), trainable=True)

            def call(self, input):
                dct_i = tf.py_function(lambda t: dct_np(t.numpy()), [input], tf.float32)
                dcts_q = tf.multiply(dct_i, 1 / self.w)
                z = dcts_q - (tf.stop_gradient(dcts_q) - tf.floor(dcts_q))
                deq = z * self.w
                return tf.py_function(lambda t: idct_np(t.numpy()), [deq], tf.float32)  # <- TFG018


        layer = MyDenseLayer(np.full((10,), 0.5, np.float32))
        x = tf.constant(np.random.rand(4, 10).astype("float32"))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(layer(x) - x))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
]

# tensorflow#35520 (held-out round K): the py_function sits in a lambda branch of tf.cond. The lambda reads the
# enclosing function's tensors as they are where it is written (the engine had left its body unknown).
CASES += [
    case(
        "tfg018_py_function_with_numpy_in_cond_lambda",
        "zero",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        x = tf.constant([3.0, 4.0])

        def np_square(a):
            return np.square(a.numpy()).astype("float32")

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                out = x * w
                loss = tf.cond(
                    tf.reduce_sum(out) > 0,
                    lambda: tf.reduce_sum(tf.py_function(np_square, [out], tf.float32)),  # <- TFG018
                    lambda: tf.reduce_sum(out),
                )
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step())
    """,
    ),
    case(
        "tfg018_ok_py_function_of_labels_in_cond_lambda",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([1.0, 2.0])
        x = tf.constant([3.0, 4.0])
        labels = tf.constant([1.0, 0.0])

        def np_smooth(a):
            return (0.9 * a.numpy() + 0.05).astype("float32")

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                out = x * w
                loss = tf.cond(
                    tf.reduce_sum(out) > 0,
                    lambda: tf.reduce_sum(out * tf.py_function(np_smooth, [labels], tf.float32)),
                    lambda: tf.reduce_sum(out),
                )
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step())
    """,
    ),
    # Near-miss: the straight-through estimator. The NumPy result is read only inside `tf.stop_gradient`, and the
    # gradient reaches the Dense kernel through `h` (measured: it trains under `fit` too).
    case(
        "tfg018_ok_numpy_round_straight_through_estimator",
        "ok",
        """
        import keras
        import numpy as np
        import tensorflow as tf

        def np_round(x):
            return np.round(x).astype(np.float32)

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(4)
                self.out = keras.layers.Dense(1)

            def call(self, x):
                h = self.dense(x)
                r = tf.numpy_function(np_round, [h], tf.float32)
                r = tf.reshape(r, tf.shape(h))
                h = h + tf.stop_gradient(r - h)
                return self.out(h)

        model = Net()
        x = tf.random.uniform((8, 4))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - 1.0))
        RESULT = gradient_status(tape.gradient(loss, model.dense.trainable_variables))
    """,
    ),
]

# A py_function is differentiated only with respect to its `inp`: a trainable variable its Python function reads
# from the closure (`self.w.numpy()`, a global `w`) gets `None` (measured under TF 2.21: eagerly, in a
# tf.function step, and under `fit` the weight stays unchanged), whatever the inputs are.
CASES += [
    case(
        "tfg018_py_function_reads_layer_weight_numpy_from_self",
        "none",
        """
        import keras
        import tensorflow as tf

        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(), initializer="ones")

            def call(self, x):
                y = tf.py_function(lambda t: t * self.w.numpy(), [x], tf.float32)  # <- TFG018
                y.set_shape(x.shape)
                return y

        layer = Scale()
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg018_py_function_def_reads_global_variable_in_tf_function",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable(2.0)

        def scaled(t):
            return t * np.asarray(w)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.py_function(scaled, [x], tf.float32))  # <- TFG018
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step(tf.ones((3,))))
    """,
    ),
    case(
        "tfg018_py_function_closure_variable_with_tf_ops",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        x = tf.ones((3,))
        with tf.GradientTape() as tape:
            y = tf.py_function(lambda t: t * w, [x], tf.float32)  # <- TFG018
            loss = tf.reduce_sum(y)
        RESULT = gradient_status(tape.gradient(loss, [w]))
    """,
    ),
    # Near-miss / fixed: the variable passed in `inp`, TF ops inside: it gets its gradient.
    case(
        "tfg018_ok_py_function_variable_passed_as_input",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(), initializer="ones")

            def call(self, x):
                y = tf.py_function(lambda t, v: t * v, [x, self.w], tf.float32)
                y.set_shape(x.shape)
                return y

        layer = Scale()
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # Near-miss: a non-trainable weight read through `.numpy()` is a constant to it; the input keeps its
    # recorded path, so the Dense before it trains.
    case(
        "tfg018_ok_py_function_reads_non_trainable_weight_numpy",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(shape=(), initializer="ones", trainable=False)

            def call(self, x):
                y = tf.py_function(lambda t: t * self.scale.numpy(), [x], tf.float32)
                y.set_shape(x.shape)
                return y

        dense = keras.layers.Dense(3)
        layer = Scale()
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(dense(x)))
        RESULT = gradient_status(tape.gradient(loss, dense.trainable_variables))
    """,
    ),
]


# The wrapped function is a method of the layer (`tf.py_function(self._scale, ...)`): its `self` is the layer, so a
# weight it reads as `self.w` comes from the closure just the same (measured under TF 2.21: `None` for `w`, the
# Dense before it trains). Near-misses: the weight handed in through `inp` to the method, and a static method that
# has no `self`.
CASES += [
    case(
        "tfg018_py_function_bound_method_reads_self_weight",
        "none",
        """
        import keras
        import tensorflow as tf

        class Scaler(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def _scale(self, x):
                return x * self.w

            def call(self, x):
                y = tf.py_function(self._scale, [x], Tout=tf.float32)  # <- TFG018
                y.set_shape(x.shape)
                return y

        dense, layer = keras.layers.Dense(3), Scaler()
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(layer(dense(x)) ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg018_ok_py_function_bound_method_gets_weight_through_inp",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Scaler(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def _scale(self, x, w):
                return x * w

            def call(self, x):
                y = tf.py_function(self._scale, [x, self.w], Tout=tf.float32)
                y.set_shape(x.shape)
                return y

        dense, layer = keras.layers.Dense(3), Scaler()
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(layer(dense(x)) ** 2)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables + dense.trainable_variables))
    """,
    ),
    case(
        "tfg018_ok_py_function_static_method_with_tf_ops",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Squash(keras.layers.Layer):
            @staticmethod
            def _squash(x):
                return tf.tanh(x)

            def call(self, x):
                y = tf.py_function(self._squash, [x], Tout=tf.float32)
                y.set_shape(x.shape)
                return y

        dense = keras.layers.Dense(3)
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(Squash()(dense(x)) ** 2)
        RESULT = gradient_status(tape.gradient(loss, dense.trainable_variables))
    """,
    ),
]


# A NumPy function wrapped in tf.numpy_function inside a Lambda layer between trainable layers (TF 2.21 / Keras 3):
# without output_shape Keras cannot build the model (NotImplementedError); with it, None for the layers before.
_LAMBDA_NUMPY = """
import numpy as np
import tensorflow as tf
import keras

inp = keras.Input((4,))
h = keras.layers.Dense(4)(inp)
{lam}
out = keras.layers.Dense(1)(h)
model = keras.Model(inp, out)
x = tf.random.normal((8, 4))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
"""
CASES += [
    case(
        "tfg018_numpy_function_in_lambda_layer_with_output_shape",
        "none",
        _LAMBDA_NUMPY.format(
            lam="h = keras.layers.Lambda(\n    lambda t: tf.numpy_function(np.tanh, [t], tf.float32),  # <- TFG018\n"
            "    output_shape=(4,),\n)(h)"
        ),
    ),
    case(
        "tfg018_numpy_function_in_lambda_layer_without_output_shape",
        "raises:NotImplementedError",
        _LAMBDA_NUMPY.format(
            lam="h = keras.layers.Lambda(lambda t: tf.numpy_function(np.tanh, [t], tf.float32))(h)  # <- TFG018"
        ),
    ),
    case(
        "tfg018_ok_lambda_layer_numpy_function_on_the_input_data",
        "ok",
        _LAMBDA_NUMPY.format(
            lam="h = h + keras.layers.Lambda(\n    lambda t: tf.numpy_function(np.tanh, [t], tf.float32), output_shape=(4,)\n"
            ")(inp)"
        ),
    ),
    case(
        "tfg018_numpy_function_in_lambda_layer_fixed",
        "ok",
        _LAMBDA_NUMPY.format(lam="h = keras.layers.Lambda(lambda t: tf.tanh(t))(h)"),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG018"}) == c.expected


def test_messages_say_what_tensorflow_does():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg018_numpy_function_eager_tape")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG018"]
    assert "has no gradient" in f.message and "No gradients provided for any variable" in f.message
    src = next(c.source for c in CASES if c.name == "tfg018_py_function_with_numpy_inside")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG018"]
    assert "zero gradient" in f.message and "InvalidArgumentError" in f.message and "`np.tanh`" in f.message
    src = next(c.source for c in CASES if c.name == "tfg018_py_function_reads_layer_weight_numpy_from_self")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG018"]
    assert "`self.w`" in f.message and "`None` gradient" in f.message and "`inp`" in f.message
