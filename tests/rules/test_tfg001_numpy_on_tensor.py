"""TFG001 numpy-on-tensor: flagged where TensorFlow loses the gradient or raises; silent elsewhere."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg001_tape_np_dot",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([[1.0], [2.0]])
        b = tf.Variable(0.5)
        x = tf.constant([[3.0, 4.0]])
        with tf.GradientTape() as tape:
            y = np.dot(x, w) + b  # <- TFG001
            loss = tf.reduce_sum(y * y)
        RESULT = gradient_status(tape.gradient(loss, [w, b]))
    """,
    ),
    case(
        "tfg001_layer_call_under_fit",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

            def call(self, x):
                return np.multiply(x, self.w)  # <- TFG001

        model = tf.keras.Sequential([tf.keras.Input((3,)), Scale()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 3), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg001_helper_called_from_tape",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf

        def score(a, b):
            return np.multiply(a, b)  # <- TFG001

        x = tf.Variable(2.0)
        y = tf.Variable(3.0)
        with tf.GradientTape() as tape:
            loss = score(x, y)
        RESULT = gradient_status(tape.gradient(loss, [x, y]))
    """,
    ),
    case(
        "tfg001_tf_function_step",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
        opt = tf.keras.optimizers.SGD(0.1)

        @tf.function
        def train_step(x, y):
            with tf.GradientTape() as tape:
                pred = model(x)
                loss = np.mean(np.square(pred - y))  # <- TFG001
            grads = tape.gradient(loss, model.trainable_variables)
            opt.apply_gradients(zip(grads, model.trainable_variables))
            return loss

        train_step(tf.ones((2, 3)), tf.ones((2, 1)))
    """,
    ),
    case(
        "tfg001_from_import_in_compiled_loss",
        "raises:NotImplementedError",
        """
        import tensorflow as tf
        from numpy import log, mean

        def my_loss(y_true, y_pred):
            return mean(-y_true * log(y_pred + 1e-7))  # <- TFG001

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2, activation="softmax")])
        model.compile(optimizer="sgd", loss=my_loss)
        model.fit(tf.ones((4, 3)), tf.one_hot([0, 1, 0, 1], 2), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg001_np_sum_axis_in_tape",
        "none",
        """
        import numpy as np
        import tensorflow as tf

        layer = tf.keras.layers.Dense(4)
        x = tf.random.normal((2, 3))
        with tf.GradientTape() as tape:
            h = layer(x)
            loss = tf.reduce_mean(np.sum(h, axis=1))  # <- TFG001
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg001_activation_function_of_dense",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf

        def my_act(x):
            return np.tanh(x)  # <- TFG001

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(4, activation=my_act)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 4), "float32"), epochs=1, verbose=0)
    """,
    ),
    # ----- near misses: TensorFlow runs these fine, gradls must stay silent
    case(
        "tfg001_ok_numpy_scalars_and_shapes",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Attention(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], input_shape[-1]))

            def call(self, x):
                d = x.shape[-1]
                scores = tf.matmul(x, self.w) / np.sqrt(d)
                return np.float32(0.5) * scores * np.pi + np.prod(x.shape[1:])

        model = tf.keras.Sequential([tf.keras.Input((3,)), Attention()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 3), "float32"), epochs=1, verbose=0)
        x = tf.ones((2, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg001_ok_numpy_data_prep_and_logging",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        data = np.random.rand(8, 3).astype("float32")
        data = (data - np.mean(data, axis=0)) / (np.std(data, axis=0) + 1e-6)
        labels = np.argmax(data, axis=1)
        model = tf.keras.Sequential([tf.keras.layers.Dense(3)])
        history = []
        with tf.GradientTape() as tape:
            logits = model(data)
            loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
            print("loss", np.mean(loss))
            acc = np.mean(np.argmax(logits, axis=1) == labels)
        grads = tape.gradient(loss, model.trainable_variables)
        history.append(np.mean(loss.numpy()))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg001_ok_ndarray_constant_in_tape",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable(tf.ones((3, 1)))
        x = tf.constant(np.random.rand(2, 3).astype("float32"))
        mask = np.where(np.arange(3) > 0, 1.0, 0.0).astype("float32")
        with tf.GradientTape() as tape:
            y = tf.matmul(x * mask, w)
            loss = tf.reduce_sum(y)
        RESULT = gradient_status(tape.gradient(loss, [w]))
    """,
    ),
    # tensorflow#43916 (near-miss): the nested def that NumPy runs in is handed to tf.numpy_function, which
    # calls it with NumPy arrays outside the traced graph; its np.sin / np.cos are fine under tf.function.
    case(
        "tfg001_ok_numpy_in_def_run_by_numpy_function_under_tf_function",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([0.3, 0.7])

        @tf.custom_gradient
        def np_sin(x):
            def sin_and_cos(a):
                return (np.sin(a), np.cos(a))

            (y, dy_dx) = tf.numpy_function(sin_and_cos, [x], [tf.float32, tf.float32])
            y.set_shape(x.shape)
            dy_dx.set_shape(x.shape)
            return y, lambda dy: dy * dy_dx

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(np_sin(w * 2.0))
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step())
    """,
    ),
    # The same nested def also called directly in the traced function: that call gets a symbolic tensor.
    case(
        "tfg001_def_handed_to_numpy_function_and_called_directly",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([0.3, 0.7])

        @tf.function
        def step():
            def np_sin(a):
                return np.sin(a)  # <- TFG001

            with tf.GradientTape() as tape:
                y = tf.numpy_function(np_sin, [w], tf.float32)
                loss = tf.reduce_sum(np_sin(w * 2.0))
            return tape.gradient(loss, [w])

        RESULT = gradient_status(step())
    """,
    ),
    # Held-out round C (keras-team/keras-io#406 with a seeded generator): the NumPy values only choose the
    # action index; the gradient flows through `action_probs` itself, and TF trains.
    case(
        "tfg001_numpy_probabilities_feed_a_random_state_choice",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
        rng = np.random.RandomState(0)
        with tf.GradientTape() as tape:
            action_probs = model(tf.constant([[0.1, 0.2, 0.3, 0.4]]))
            action = rng.choice(2, p=np.squeeze(action_probs) / np.sum(action_probs))
            loss = -tf.math.log(action_probs[0, action])
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# Issue 10 (engine): the y_pred parameter of a Keras model's compute_loss override is the symbolic model output.
CASES += [
    case(
        "tfg001_compute_loss_override_numpy_on_y_pred",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d1 = keras.layers.Dense(8, activation="relu")
                self.d2 = keras.layers.Dense(3)

            def call(self, x):
                return self.d2(self.d1(x))

            def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
                p = np.tanh(y_pred)  # <- TFG001
                return tf.reduce_mean(tf.square(p[:, 0] - y))

        x = np.random.rand(16, 4).astype("float32")
        y = np.random.randint(0, 3, size=(16,)).astype("float32")
        model = Net()
        model.compile(optimizer="adam", loss="mse")
        model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    """,
    ),
]


# A `tf.function` argument every call fills with a Python int stays a Python int while it traces (kapre's `_rdft(frames,
# fft_length)`, called from a plain function its layers call with `n_fft`): NumPy on it is fine; a tensor there fails.
_RDFT = """
import numpy as np
import tensorflow as tf


@tf.function
def rdft(signal, n):
    k = np.arange(0, n // 2 + 1)
    t = np.arange(0, n)
    basis = np.cos(np.outer(k, t) * 2 * np.pi / n).astype(np.float32){mark}
    return tf.matmul(signal, tf.constant(basis.T))


def stft(signal, n):
    return rdft(signal, n)


y = {call}
RESULT = ["ok"]
"""
CASES += [
    case(
        "tfg001_ok_tf_function_argument_python_int_by_every_caller",
        "ok",
        _RDFT.format(mark="", call="stft(tf.random.normal((2, 8)), 8)"),
    ),
    case(
        "tfg001_tf_function_argument_given_a_tensor",
        "raises:NotImplementedError",
        _RDFT.format(mark="  # <- TFG001", call="rdft(tf.random.normal((2, 8)), tf.constant(8))"),
    ),
]

# Issue 10: a `lambda` handed to a Keras layer runs on the layer's input, symbolic while the model is built (a named
# function handed to it was a region already; an inline lambda was not looked at).
CASES += [
    case(
        "tfg001_numpy_in_lambda_layer_lambda",
        "raises:NotImplementedError",
        """
        import numpy as np
        import keras

        inputs = keras.Input(shape=(4,))
        h = keras.layers.Dense(4, activation="softplus")(inputs)
        logh = keras.layers.Lambda(lambda t: np.log1p(t))(h)  # <- TFG001
        model = keras.Model(inputs, keras.layers.Dense(1)(logh))
        RESULT = ["ok"]
    """,
    ),
    # Dense knows its output shape without running its activation; called eagerly, the NumPy array cuts the tape
    # (under `fit`: NotImplementedError, a symbolic tensor cannot be converted).
    case(
        "tfg001_numpy_in_lambda_activation",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        inputs = keras.Input(shape=(4,))
        h = keras.layers.Dense(4, activation=lambda x: np.tanh(x))(inputs)  # <- TFG001
        model = keras.Model(inputs, keras.layers.Dense(1)(h))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(np.random.rand(8, 4).astype("float32")))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg001_numpy_in_lambda_layer_with_output_shape_called_eagerly",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        inputs = keras.Input(shape=(4,))
        h = keras.layers.Dense(4, activation="softplus")(inputs)
        logh = keras.layers.Lambda(lambda t: np.log1p(t), output_shape=(4,))(h)  # <- TFG001
        model = keras.Model(inputs, keras.layers.Dense(1)(logh))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(np.random.rand(8, 4).astype("float32")))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Near miss: NumPy on constants and on the shape `output_shape=` gets, not on the layer's input.
    case(
        "tfg001_ok_numpy_on_constants_and_shapes_in_layer_lambdas",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        inputs = keras.Input(shape=(4,))
        h = keras.layers.Dense(4)(inputs)
        flat = keras.layers.Lambda(lambda t: t * np.sqrt(2.0), output_shape=lambda s: (s[0], int(np.prod(s[1:]))))(h)
        model = keras.Model(inputs, keras.layers.Dense(1)(flat))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(np.random.rand(8, 4).astype("float32")))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg001_ok_tf_op_in_lambda_layer_lambda",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        inputs = keras.Input(shape=(4,))
        h = keras.layers.Dense(4, activation="softplus")(inputs)
        logh = keras.layers.Lambda(lambda t: tf.math.log1p(t))(h)
        model = keras.Model(inputs, keras.layers.Dense(1)(logh))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(np.random.rand(8, 4).astype("float32")))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# Issue 10 (engine): a loop or comprehension over a container of layers binds each layer; over a container of tensors,
# each tensor (incl. the tuple targets of zip/enumerate). Python floats, strings and NumPy arrays stay what they are.
CASES += [
    case(
        "tfg001_loop_over_layer_list_attribute",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.blocks = [keras.layers.Dense(8) for _ in range(3)]
                self.head = keras.layers.Dense(1)

            def call(self, x):
                for blk in self.blocks:
                    x = np.tanh(blk(x))  # <- TFG001
                return self.head(x)

        model = Net()
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg001_enumerate_zip_over_layer_tuples",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.a = keras.layers.Dense(8)
                self.b = keras.layers.Dense(8)
                self.scales = [0.5, 2.0]
                self.head = keras.layers.Dense(1)

            def call(self, x):
                for i, (blk, scale) in enumerate(zip((self.a, self.b), self.scales)):
                    x = np.maximum(blk(x), 0.0) * scale  # <- TFG001
                return self.head(x)

        model = Net()
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg001_loop_over_sequential_layers",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8), keras.layers.Dense(1)])
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            h = x
            for layer in model.layers:
                h = np.tanh(layer(h))  # <- TFG001
            loss = tf.reduce_mean(h)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Near-misses: the loops and comprehensions run over Python floats, strings and NumPy arrays.
    case(
        "tfg001_numpy_over_python_and_numpy_containers",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
        x = np.random.rand(4, 3).astype("float32")
        arrays = [np.ones(3), np.full(3, 2.0)]
        configs = [{"name": "a", "scale": 4.0}, {"name": "b", "scale": 9.0}]
        with tf.GradientTape() as tape:
            out = model(x)
            norm = sum(np.mean(a) for a in arrays)
            for cfg in configs:
                out = out * float(np.sqrt(cfg["scale"]))
            for name, weight in [("a", 0.5), ("b", 0.25)]:
                out = out + np.log1p(weight)
            loss = tf.reduce_mean(out) / norm
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg001_loop_over_layer_list_attribute_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.blocks = [keras.layers.Dense(8) for _ in range(3)]
                self.head = keras.layers.Dense(1)

            def call(self, x):
                for blk in self.blocks:
                    x = tf.tanh(blk(x))
                return self.head(x)

        model = Net()
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# Issue 10 (engine): `self.blocks = []` then `self.blocks.append(layer)` in a loop is a list of layers too; a list
# appended with Python floats stays a list of floats.
CASES += [
    case(
        "tfg001_loop_over_layer_list_built_by_append",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self, n=3):
                super().__init__()
                self.blocks = []
                for _ in range(n):
                    self.blocks.append(keras.layers.Dense(8))
                self.scales = []
                self.scales.append(0.5)
                self.head = keras.layers.Dense(1)

            def call(self, x):
                for scale in self.scales:
                    x = x * np.sqrt(scale)
                for blk in self.blocks:
                    x = np.tanh(blk(x))  # <- TFG001
                return self.head(x)

        model = Net()
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg001_loop_over_layer_list_built_by_append_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self, n=3):
                super().__init__()
                self.blocks = []
                for _ in range(n):
                    self.blocks.append(keras.layers.Dense(8))
                self.scales = []
                self.scales.append(0.5)
                self.head = keras.layers.Dense(1)

            def call(self, x):
                for scale in self.scales:
                    x = x * np.sqrt(scale)
                for blk in self.blocks:
                    x = tf.tanh(blk(x))
                return self.head(x)

        model = Net()
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# Issue 10 (engine): the list of layers comes from a factory, a method of the class (filled by `append`) or a module
# function (a comprehension); a factory of Python floats or of functions stays what it is.
CASES += [
    case(
        "tfg001_loop_over_layer_list_from_a_factory_method",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        def make_blocks(depth):
            return [keras.layers.Dense(8) for _ in range(depth)]

        class Net(keras.Model):
            def __init__(self, depth=2):
                super().__init__()
                self.blocks = self._make_blocks(depth)
                self.extra = make_blocks(depth)
                self.scales = self._make_scales(depth)
                self.head = keras.layers.Dense(1)

            def _make_blocks(self, depth):
                blocks = []
                for _ in range(depth):
                    blocks.append(keras.layers.Dense(8))
                return blocks

            def _make_scales(self, depth):
                return [0.5 * (i + 1) for i in range(depth)]

            def call(self, x):
                for blk, scale in zip(self.blocks, self.scales):
                    x = np.tanh(blk(x)) * np.sqrt(scale)  # <- TFG001
                for blk in self.extra:
                    x = blk(x)
                return self.head(x)

        model = Net()
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg001_loop_over_layer_list_from_a_factory_method_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self, depth=2):
                super().__init__()
                self.blocks = self._make_blocks(depth)
                self.activations = self._make_activations()
                self.head = keras.layers.Dense(1)

            def _make_blocks(self, depth):
                blocks = []
                for _ in range(depth):
                    blocks.append(keras.layers.Dense(8))
                return blocks

            def _make_activations(self):
                return [tf.tanh, tf.nn.relu]

            def call(self, x):
                for blk, act in zip(self.blocks, self.activations):
                    x = act(blk(x)) * np.sqrt(0.5)
                return self.head(x)

        model = Net()
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


# A TF 1 graph built and differentiated at the top of the program: NumPy on its symbolic tensors raises
# (TF 2.21: NotImplementedError: Cannot convert a symbolic tf.Tensor).
CASES += [
    case(
        "tfg001_numpy_in_a_tf1_graph",
        "raises:NotImplementedError",
        """
        import numpy as np
        import tensorflow as tf

        with tf.Graph().as_default():
            x = tf.compat.v1.placeholder(tf.float32, [None, 3])
            w = tf.Variable(tf.ones([3, 1]))
            z = tf.matmul(x, w)
            loss = tf.reduce_mean(np.exp(z))  # <- TFG001
            train_op = tf.compat.v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        RESULT = ["ok"]
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG001"}) == c.expected
