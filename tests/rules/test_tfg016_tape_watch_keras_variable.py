"""TFG016 tape-watch-keras-variable: `tape.watch()` of a Keras 3 Variable raises ValueError."""

import ast

import pytest

from rules.casekit import case, check_verdict, findings_of
from rules.test_tfg009_unwatched_tensor import fixed_source

CASES = [
    case(
        "tfg016_keras_variable",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        v = keras.Variable(2.0)
        with tf.GradientTape() as tape:
            tape.watch(v)  # <- TFG016
            y = v * v
        RESULT = gradient_status([tape.gradient(y, v)])
    """,
    ),
    case(
        "tfg016_model_trainable_variables",
        "raises:ValueError",
        """
        import tensorflow as tf

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            tape.watch(model.trainable_variables)  # <- TFG016
            y = tf.reduce_sum(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, model.trainable_variables))
    """,
    ),
    case(
        "tfg016_layer_kernel_no_auto_watch",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        layer = keras.layers.Dense(2)
        layer.build((None, 3))
        x = tf.random.normal((4, 3))
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(layer.kernel)  # <- TFG016
            y = tf.reduce_sum(layer(x) ** 2)
        RESULT = gradient_status([tape.gradient(y, layer.kernel)])
    """,
    ),
    case(
        "tfg016_add_weight_attribute",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Scale(keras.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(shape=(), initializer="ones")

            def call(self, x):
                return x * self.scale

        layer = Scale()
        x = tf.constant([1.0, 2.0])
        layer(x)
        with tf.GradientTape() as tape:
            tape.watch(layer.scale)  # <- TFG016
            y = tf.reduce_sum(layer(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, layer.trainable_variables))
    """,
    ),
    case(
        "tfg016_loop_over_weights",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1)])
        x = tf.random.normal((4, 3))
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            for w in model.trainable_weights:
                tape.watch(w)  # <- TFG016
            y = tf.reduce_sum(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, model.trainable_weights))
    """,
    ),
    case(
        "tfg016_value_on_a_list",
        "raises:AttributeError",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        params = model.trainable_variables
        x = tf.random.normal((4, 3))
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(params.value)  # <- TFG016
            y = tf.reduce_sum(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, params))
    """,
    ),
    case(
        "tfg016_list_display_of_weights",
        "raises:ValueError",
        """
        import tensorflow as tf
        from tensorflow import keras

        dense = keras.layers.Dense(2)
        dense.build((None, 3))
        x = tf.random.normal((4, 3))
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch([dense.kernel, dense.bias])  # <- TFG016
            y = tf.reduce_sum(dense(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, [dense.kernel, dense.bias]))
    """,
    ),
    case(
        "tfg016_train_step_under_fit",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(1)

            def call(self, x):
                return self.dense(x)

            def train_step(self, data):
                x, y = data
                with tf.GradientTape() as tape:
                    tape.watch(self.trainable_variables)  # <- TFG016
                    loss = tf.reduce_mean((self(x, training=True) - y) ** 2)
                grads = tape.gradient(loss, self.trainable_variables)
                self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
                return {"loss": loss}

        keras.utils.set_random_seed(0)
        model = Net()
        model.compile(optimizer=keras.optimizers.SGD(0.1))
        x = np.random.rand(8, 3).astype("float32")
        y = np.random.rand(8, 1).astype("float32")
        model(x)
        before = [w.numpy().copy() for w in model.trainable_variables]
        model.fit(x, y, epochs=1, verbose=0)
        RESULT = ["ok" if (w.numpy() != b).any() else "none" for w, b in zip(model.trainable_variables, before)]
    """,
    ),
    # ----- near misses: TF runs them and every gradient exists
    case(
        "tfg016_ok_tf_variable",
        "ok",
        """
        import tensorflow as tf

        v = tf.Variable(2.0)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(v)
            y = v * v
        RESULT = gradient_status([tape.gradient(y, v)])
    """,
    ),
    case(
        "tfg016_ok_watch_value",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        v = keras.Variable(2.0)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(v.value)
            y = v * v
        RESULT = gradient_status([tape.gradient(y, v)])
    """,
    ),
    case(
        "tfg016_ok_watch_values_comprehension",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        x = tf.random.normal((4, 3))
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch([w.value for w in model.trainable_variables])
            y = tf.reduce_sum(model(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, model.trainable_variables))
    """,
    ),
    case(
        "tfg016_ok_watch_input_batch",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        images = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            tape.watch(images)
            y = tf.reduce_sum(model(images) ** 2)
        RESULT = gradient_status(tape.gradient(y, [images] + model.trainable_variables))
    """,
    ),
    case(
        "tfg016_ok_tf_module_variables",
        "ok",
        """
        import tensorflow as tf

        class Linear(tf.Module):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable([[1.0], [2.0]])
                self.b = tf.Variable([0.5])

            def __call__(self, x):
                return x @ self.w + self.b

        lin = Linear()
        x = tf.constant([[1.0, -1.0]])
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(lin.trainable_variables)
            y = tf.reduce_sum(lin(x) ** 2)
        RESULT = gradient_status(tape.gradient(y, lin.trainable_variables))
    """,
    ),
    case(
        "tfg016_ok_raw_tf_variable_on_plain_object",
        "ok",
        """
        import tensorflow as tf

        class Params:
            def __init__(self):
                self.kernel = tf.Variable([1.0, 2.0])

        p = Params()
        with tf.GradientTape() as tape:
            tape.watch(p.kernel)
            y = tf.reduce_sum(p.kernel ** 2)
        RESULT = gradient_status([tape.gradient(y, p.kernel)])
    """,
    ),
]

_FIXABLE = [
    "tfg016_keras_variable",
    "tfg016_model_trainable_variables",
    "tfg016_layer_kernel_no_auto_watch",
    "tfg016_add_weight_attribute",
    "tfg016_loop_over_weights",
    "tfg016_value_on_a_list",
    "tfg016_list_display_of_weights",
    "tfg016_train_step_under_fit",
]
FIXED = {f"{n}__fixed": fixed_source(CASES, n, "TFG016") for n in _FIXABLE}
CASES += [case(name, "ok", src) for name, src in FIXED.items()]

# keras-team/keras#19155 (held-out round E): the kernel of the last layer of a list the model fills in __init__.
CASES += [
    case(
        "tfg016_watch_kernel_of_layer_from_model_list",
        "raises:ValueError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class ToyModel(keras.Model):
            def __init__(self):
                super().__init__()
                self.layers_list = []
                self.layers_list.append(keras.layers.Dense(4, activation="tanh"))
                self.layers_list.append(keras.layers.Dense(1, use_bias=False))

            def call(self, x):
                for layer in self.layers_list:
                    x = layer(x)
                return x

        model = ToyModel()
        x = tf.constant(np.linspace(0, 1, 6)[:, None], tf.float32)
        model(x)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(model.layers_list[-1].kernel)  # <- TFG016
            out = model(x)
        RESULT = gradient_status([tape.gradient(out, model.layers_list[-1].kernel)])
    """,
    ),
    case(
        "tfg016_ok_watch_value_of_kernel_from_model_list",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class ToyModel(keras.Model):
            def __init__(self):
                super().__init__()
                self.layers_list = [keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(1, use_bias=False)]
                self.scales = []
                self.scales.append(tf.Variable(1.0))

            def call(self, x):
                for layer in self.layers_list:
                    x = layer(x)
                return x * self.scales[0]

        model = ToyModel()
        x = tf.constant(np.linspace(0, 1, 6)[:, None], tf.float32)
        model(x)
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(model.layers_list[-1].kernel.value)
            tape.watch(model.scales[0])
            out = model(x)
        RESULT = gradient_status(tape.gradient(out, [model.layers_list[-1].kernel, model.scales[0]]))
    """,
    ),
]


# A NumPy array handed to `tape.watch` (an image loaded for a saliency map) raises the same ValueError; converted
# to a tensor first, the gradient with respect to it is computed.
_SALIENCY = """
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
img = np.random.rand(1, 4).astype("float32") / 1.0
{convert}with tf.GradientTape() as tape:
    tape.watch({watched}){mark}
    score = model({watched})[:, 1]
RESULT = gradient_status([tape.gradient(score, {watched})])
"""
CASES += [
    case(
        "tfg016_numpy_image_watched_for_saliency",
        "raises:ValueError",
        _SALIENCY.format(convert="", watched="img", mark="  # <- TFG016"),
    ),
    case(
        "tfg016_ok_image_converted_before_watch",
        "ok",
        _SALIENCY.format(convert="x = tf.convert_to_tensor(img)\n", watched="x", mark=""),
    ),
    case(
        "tfg016_ok_parameter_rebound_to_numpy_on_one_path",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        w = tf.Variable([[1.0], [2.0]])

        def saliency(x=None):
            if x is None:
                x = np.ones((1, 2), "float32")
                x = tf.constant(x)
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = tf.matmul(x, w)
            return tape.gradient(y, x)

        RESULT = gradient_status([saliency(tf.constant([[3.0, 4.0]]))])
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG016"}) == c.expected


@pytest.mark.parametrize("name", sorted(FIXED))
def test_fix_parses_and_is_idempotent(name):
    from gradls.analysis import analyze

    src = FIXED[name]
    ast.parse(src)
    assert not [f for f in analyze(src).findings if f.code == "TFG016"]


def test_fix_texts():
    assert "tape.watch(v.value)" in FIXED["tfg016_keras_variable__fixed"]
    assert (
        "tape.watch([w.value for w in model.trainable_variables])" in FIXED["tfg016_model_trainable_variables__fixed"]
    )
    assert "tape.watch([w.value for w in params])" in FIXED["tfg016_value_on_a_list__fixed"]
    assert "tape.watch([dense.kernel.value, dense.bias.value])" in FIXED["tfg016_list_display_of_weights__fixed"]


def test_message_states_the_tf_error():
    from gradls.analysis import analyze

    src = next(c.source for c in CASES if c.name == "tfg016_keras_variable")
    (f,) = [f for f in analyze(src).findings if f.code == "TFG016"]
    assert "not tf.Tensor or tf.Variable or ExtensionType" in f.message and "v.value" in f.message
