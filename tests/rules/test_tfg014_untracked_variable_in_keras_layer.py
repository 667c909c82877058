"""TFG014 untracked-variable-in-keras-layer: Keras 3 silently ignores raw tf.Variables on layers."""

import os
import textwrap

import pytest
from gradls.analysis import analyze
from gradls.fixes import apply_edits, fix_for

from rules.casekit import case, check_verdict, findings_of

# The program reports "zero" when fit() leaves a weight unchanged and "ok" when it trains.
_TRAIN = """
model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
before = [v.numpy().copy() for v in layer_weights()]
model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=2, verbose=0)
RESULT = ["zero" if np.allclose(b, v.numpy()) else "ok" for b, v in zip(before, layer_weights())]
"""

BUGGY_LAYER = (
    """
import numpy as np
import tensorflow as tf

class Scale(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((3, 1)), name="w")  # <- TFG014

    def call(self, x):
        return tf.matmul(x, self.w)

layer = Scale()
model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
layer_weights = lambda: [layer.w]
"""
    + _TRAIN
)

BUGGY_MODEL_BUILD = (
    """
import numpy as np
import tensorflow as tf

class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(1)

    def build(self, input_shape):
        self.gain = tf.Variable(tf.ones((1,)))  # <- TFG014

    def call(self, x):
        return self.dense(x) * self.gain

model = Net()
model(tf.ones((1, 3)))
layer_weights = lambda: [model.gain, model.dense.kernel]
"""
    + _TRAIN
)

TF_KERAS_LAYER = """
import numpy as np
import tensorflow as tf
import tf_keras

class Scale(tf_keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((3, 1)), name="w")

    def call(self, x):
        return tf.matmul(x, self.w)

layer = Scale()
model = tf_keras.Sequential([tf_keras.Input((3,)), layer])
layer_weights = lambda: [layer.w]
""" + _TRAIN.replace("tf.keras.optimizers.SGD(0.1)", "tf_keras.optimizers.SGD(0.1)")

LEGACY_KERAS_ENV = """
import os
os.environ["TF_USE_LEGACY_KERAS"] = "1"
import numpy as np
import tensorflow as tf

class Scale(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((3, 1)), name="w")

    def call(self, x):
        return tf.matmul(x, self.w)
"""

CASES = [
    case("tfg014_raw_variable_in_layer_init", "zero", BUGGY_LAYER),
    # Keras 2 (tf_keras) tracks a raw tf.Variable set on a layer: it trains.
    case("tfg014_tf_keras_layer_tracks_raw_variable", "ok", TF_KERAS_LAYER),
    case("tfg014_raw_variable_in_model_build", "zero", BUGGY_MODEL_BUILD),
    case(
        "tfg014_ok_add_weight_and_state",
        "ok",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.calls = tf.Variable(0)
                self.ema = tf.Variable(0.0)
                self.frozen = tf.Variable(1.0, trainable=False)

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1), initializer="random_normal")

            def call(self, x):
                self.calls.assign_add(1)
                self.ema.assign(0.9 * self.ema + 0.1 * tf.reduce_mean(x))
                return tf.matmul(x, self.w) * self.frozen

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.w]
    """)
        + _TRAIN,
    ),
    case(
        "tfg014_ok_tf_module",
        "ok",
        """
        import tensorflow as tf

        class Linear(tf.Module):
            def __init__(self):
                self.w = tf.Variable(tf.ones((3, 1)))

            def __call__(self, x):
                return tf.matmul(x, self.w)

        m = Linear()
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(m(tf.ones((2, 3))))
        RESULT = gradient_status(tape.gradient(loss, m.trainable_variables))
    """,
    ),
]


def _fixed(src: str) -> str:
    src = textwrap.dedent(src).lstrip("\n")
    for _ in range(5):
        found = [f for f in analyze(src).findings if f.code == "TFG014"]
        if not found:
            return src
        fix = fix_for(src, found[0])
        assert fix is not None and fix.safe
        src = apply_edits(src, fix.edits)
    raise AssertionError("fix did not converge")


CASES += [
    case("tfg014_fixed_layer_init_trains", "ok", _fixed(BUGGY_LAYER).replace("# <- TFG014", "")),
    case("tfg014_fixed_model_build_trains", "ok", _fixed(BUGGY_MODEL_BUILD).replace("# <- TFG014", "")),
]

# keras-team/keras#16797 (held-out round E): raw tf.Variables kept in a list attribute of the layer.
BUGGY_LIST_APPEND = (
    """
import numpy as np
import tensorflow as tf

class Chain(tf.keras.layers.Layer):
    def __init__(self, n):
        super().__init__()
        self.ws = []
        for i in range(n):
            self.ws.append(tf.Variable(tf.ones((3, 3)), name=f"w{i}"))  # <- TFG014

    def call(self, x):
        for w in self.ws:
            x = tf.matmul(x, w)
        return tf.reduce_sum(x, axis=-1, keepdims=True)

layer = Chain(2)
model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
layer_weights = lambda: list(layer.ws)
"""
    + _TRAIN
)

BUGGY_LIST_COMPREHENSION = (
    """
import numpy as np
import tensorflow as tf

class Chain(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.ws = [tf.Variable(tf.ones((3, 3))) for _ in range(2)]  # <- TFG014

    def call(self, x):
        for w in self.ws:
            x = tf.matmul(x, w)
        return tf.reduce_sum(x, axis=-1, keepdims=True)

layer = Chain()
model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
layer_weights = lambda: list(layer.ws)
"""
    + _TRAIN
)

CASES += [
    case("tfg014_raw_variables_appended_to_list", "zero", BUGGY_LIST_APPEND),
    case("tfg014_raw_variables_list_comprehension_in_build", "zero", BUGGY_LIST_COMPREHENSION),
    case(
        "tfg014_ok_add_weight_appended_and_state_list",
        "ok",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Chain(tf.keras.layers.Layer):
            def __init__(self, n):
                super().__init__()
                self.ws = []
                for i in range(n):
                    self.ws.append(self.add_weight(shape=(3, 3), initializer="ones", name=f"w{i}"))
                self.stats = [tf.Variable(0.0) for _ in range(n)]

            def call(self, x):
                for i, w in enumerate(self.ws):
                    x = tf.matmul(x, w)
                    self.stats[i].assign(tf.reduce_mean(x))
                return tf.reduce_sum(x, axis=-1, keepdims=True)

        layer = Chain(2)
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: list(layer.ws)
    """)
        + _TRAIN,
    ),
    case("tfg014_fixed_list_append_trains", "ok", _fixed(BUGGY_LIST_APPEND).replace("# <- TFG014", "")),
    case("tfg014_fixed_list_comprehension_trains", "ok", _fixed(BUGGY_LIST_COMPREHENSION).replace("# <- TFG014", "")),
]


# tensorflow/tensorflow#38211 (held-out round H): the variables are made in a helper method that __init__ calls.
BUGGY_HELPER = (
    """
import numpy as np
import tensorflow as tf

class Foo(tf.keras.layers.Layer):
    def __init__(self, siz):
        super().__init__()
        self.siz = siz
        self.build_foo(siz)

    def build_foo(self, siz):
        self.w0 = tf.Variable(tf.ones((3, 1)), name="TNS0")  # <- TFG014
        self.ws = []
        for it in range(siz):
            self.ws.append(tf.Variable(float(it + 1), name=f"TNS{it + 1}"))  # <- TFG014

    def call(self, x):
        y = tf.matmul(x, self.w0)
        for w in self.ws:
            y = y * w
        return y

layer = Foo(2)
model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
layer_weights = lambda: [layer.w0] + list(layer.ws)
"""
    + _TRAIN
)

CASES += [
    case("tfg014_raw_variables_made_in_helper_called_from_init", "zero", BUGGY_HELPER),
    case(
        "tfg014_ok_add_weight_in_helper_called_from_init",
        "ok",
        BUGGY_HELPER.replace(
            'tf.Variable(tf.ones((3, 1)), name="TNS0")  # <- TFG014',
            'self.add_weight(shape=(3, 1), initializer="ones")',
        ).replace(
            'tf.Variable(float(it + 1), name=f"TNS{it + 1}"))  # <- TFG014',
            'self.add_weight(shape=(), initializer="ones"))',
        ),
    ),
    case("tfg014_fixed_helper_trains", "ok", _fixed(BUGGY_HELPER).replace("# <- TFG014", "")),
]

# tf2rl's SAC: a raw tf.Variable on a Keras model that the model differentiates and updates by name
# (`tape.gradient(loss, [self.log_alpha])`, its own optimizer): untracked by Keras 3, yet it trains. The actor's
# raw variable beside it is trained only through `trainable_variables`, and never changes.
_SAC = """
import numpy as np
import tensorflow as tf


class Agent(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.log_alpha = tf.Variable(0.0, dtype=tf.float32)
        self.log_std = tf.Variable(tf.zeros((1,)), dtype=tf.float32)  # {mark}
        self.dense = tf.keras.layers.Dense(1)
        self.alpha_optimizer = tf.keras.optimizers.SGD(0.1)
        self.optimizer_ = tf.keras.optimizers.SGD(0.1)

    def train(self, x):
        with tf.GradientTape() as tape:
            alpha_loss = -tf.exp(self.log_alpha) * 2.0
        alpha_grad = tape.gradient(alpha_loss, [self.log_alpha])
        self.alpha_optimizer.apply_gradients(zip(alpha_grad, [self.log_alpha]))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.dense(x) + self.log_std - 1.0))
        grads = tape.gradient(loss, {sources})
        self.optimizer_.apply_gradients(zip(grads, {sources}))


agent = Agent()
before = [agent.log_alpha.numpy().copy(), agent.log_std.numpy().copy()]
agent.train(np.ones((4, 3), "float32"))
RESULT = ["ok" if not np.allclose(before[0], agent.log_alpha.numpy()) else "zero"]
RESULT += ["ok" if not np.allclose(before[1], agent.log_std.numpy()) else "zero"]
"""

CASES += [
    case(
        "tfg014_raw_variable_differentiated_by_name_trains",
        "zero",
        _SAC.replace("{mark}", "<- TFG014").replace("{sources}", "self.trainable_variables"),
    ),
    case(
        "tfg014_raw_variables_all_differentiated_by_name_near_miss",
        "ok",
        _SAC.replace("{mark}", "trained by name").replace(
            "{sources}", "self.dense.trainable_variables + [self.log_std]"
        ),
    ),
]


# tensorflow#47264 (held-out round K): a Keras 3 layer keeps its weight on a tf.Module it holds. Keras 3 tracks
# neither the tf.Module nor its tf.Variables: `trainable_variables` is [] and fit never changes the weight.
CASES += [
    case(
        "tfg014_tf_variable_on_held_tf_module",
        "zero",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.submodule = tf.Module()
                self.submodule.var = tf.Variable(tf.ones((3, 1)))  # <- TFG014

            def call(self, x):
                return tf.matmul(x, self.submodule.var)

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.submodule.var]
    """)
        + _TRAIN,
    ),
    case(
        "tfg014_tf_module_class_with_variables_on_layer",
        "zero",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Linear(tf.Module):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(tf.ones((3, 1)))

        class Outer(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.inner = Linear()  # <- TFG014

            def call(self, x):
                return tf.matmul(x, self.inner.w)

        layer = Outer()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.inner.w]
    """)
        + _TRAIN,
    ),
    # Near-miss: the held tf.Module keeps only a non-trainable constant; the layer's own weight trains.
    # The fix: the weight made with add_weight on the layer.
    case(
        "tfg014_ok_held_tf_module_with_frozen_state",
        "ok",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.kernel = self.add_weight(shape=(3, 1), initializer="ones")
                self.consts = tf.Module()
                self.consts.gain = tf.Variable(2.0, trainable=False)

            def call(self, x):
                return tf.matmul(x, self.kernel) * self.consts.gain

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.kernel]
    """)
        + _TRAIN,
    ),
    case(
        "tfg014_fixed_held_tf_module_weight_made_with_add_weight",
        "ok",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.var = self.add_weight(shape=(3, 1), initializer="ones")

            def call(self, x):
                return tf.matmul(x, self.var)

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.var]
    """)
        + _TRAIN,
    ),
    # The Keras 1 way of registering a weight (haidark/WaveletDeconv#1, michetonu/gradient_reversal_keras_tf#9):
    # `trainable_weights` & co. are read-only properties; the assignment raises when build()/__init__ runs.
    case(
        "tfg014_bug_trainable_weights_assigned_in_build",
        "raises:AttributeError",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf
        K = tf.keras.backend

        class Scale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.W = K.variable(np.ones((3, 1), "float32"), name="W")
                self.trainable_weights = [self.W]  # <- TFG014

            def call(self, x):
                return tf.matmul(x, self.W)

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.W]
    """)
        + _TRAIN,
    ),
    case(
        "tfg014_bug_weights_list_extended_in_model_init",
        "raises:AttributeError",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)
                self.gain = self.add_weight(shape=(1,), initializer="ones")
                self.non_trainable_weights += [self.gain]  # <- TFG014

            def call(self, x):
                return self.dense(x) * self.gain

        model = Net()
        model(tf.ones((1, 3)))
        layer_weights = lambda: [model.gain]
    """)
        + _TRAIN,
    ),
    # tf_keras (Keras 2) has no setter either (its message differs).
    case(
        "tfg014_bug_trainable_weights_assigned_on_tf_keras_layer",
        "raises:AttributeError",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf
        import tf_keras

        class Flip(tf_keras.layers.Layer):
            def build(self, input_shape):
                self.trainable_weights = []  # <- TFG014

            def call(self, x):
                return -x

        dense = tf_keras.layers.Dense(1)
        model = tf_keras.Sequential([tf_keras.Input((3,)), dense, Flip()])
        model.compile(optimizer=tf_keras.optimizers.SGD(0.1), loss="mse")
        before = [v.numpy().copy() for v in dense.weights]
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=2, verbose=0)
        RESULT = ["zero" if np.allclose(b, v.numpy()) else "ok" for b, v in zip(before, dense.weights)]
    """),
    ),
    # Near-miss: `self.trainable` has a setter; a plain (non-Keras) helper keeps its own `weights` list; a class
    # that defines `trainable_weights` itself. The layer's weight, made with add_weight, trains.
    case(
        "tfg014_ok_trainable_flag_and_plain_weights_attribute",
        "ok",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Mixer:
            def __init__(self):
                self.weights = [0.25, 0.75]

        class Scale(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.mixer = Mixer()
                self.trainable = True

            def build(self, input_shape):
                self.kernel = self.add_weight(shape=(3, 1), initializer="ones")

            def call(self, x):
                return tf.matmul(x, self.kernel) * self.mixer.weights[1]

        class Tagged(tf.keras.layers.Layer):
            trainable_weights = None

            def __init__(self):
                super().__init__()
                self.trainable_weights = ["tag"]

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.kernel]
    """)
        + _TRAIN,
    ),
    # The fix: the weight made with add_weight and no assignment to the property.
    case(
        "tfg014_fixed_trainable_weights_assignment_dropped",
        "ok",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.W = self.add_weight(shape=(3, 1), initializer="ones", name="W")

            def call(self, x):
                return tf.matmul(x, self.W)

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.W]
    """)
        + _TRAIN,
    ),
    # Keras 2's private weight lists (errorhandle.ai's advice, held-out round N): a Keras 3 layer or model has no
    # `_trainable_weights` / `_non_trainable_weights`, so appending a raw variable to one raises.
    case(
        "tfg014_bug_tf_variable_appended_to_private_trainable_weights",
        "raises:AttributeError",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(tf.ones((3, 1)), name="w")
                self._trainable_weights.append(self.w)  # <- TFG014

            def call(self, x):
                return tf.matmul(x, self.w)

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.w]
    """)
        + _TRAIN,
    ),
    case(
        "tfg014_bug_private_non_trainable_weights_extended_in_model_build",
        "raises:AttributeError",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def build(self, input_shape):
                self.count = tf.Variable(0.0, trainable=False)
                self._non_trainable_weights += [self.count]  # <- TFG014

            def call(self, x):
                return self.dense(x)

        model = Net()
        model(tf.ones((1, 3)))
        layer_weights = lambda: [model.dense.kernel]
    """)
        + _TRAIN,
    ),
    # Near-miss: tf_keras (Keras 2) layers still have the private list, and the appended variable trains.
    case(
        "tfg014_ok_tf_variable_appended_to_private_list_on_tf_keras_layer",
        "ok",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf
        import tf_keras

        class Scale(tf_keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.w = tf.Variable(tf.ones((3, 1)), name="w")
                self._trainable_weights.append(self.w)

            def call(self, x):
                return tf.matmul(x, self.w)

        layer = Scale()
        model = tf_keras.Sequential([tf_keras.Input((3,)), layer])
        model.compile(optimizer=tf_keras.optimizers.SGD(0.1), loss="mse")
        before = layer.w.numpy().copy()
        model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=2, verbose=0)
        RESULT = ["zero" if np.allclose(before, layer.w.numpy()) else "ok"]
    """),
    ),
    # Fixed: the weight made with add_weight, no private list.
    case(
        "tfg014_fixed_private_trainable_weights_append_dropped",
        "ok",
        textwrap.dedent("""
        import numpy as np
        import tensorflow as tf

        class Scale(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.w = self.add_weight(shape=(3, 1), initializer="ones", name="w")

            def call(self, x):
                return tf.matmul(x, self.w)

        layer = Scale()
        model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
        layer_weights = lambda: [layer.w]
    """)
        + _TRAIN,
    ),
]

# Issue 10: Keras layers kept by a plain Python object that a model holds. Keras 3 walks a layer's attributes for
# layers, variables and containers of them, not into other objects. RESULT: "zero" when the blocks' weights are missing
# from the model's weights (they never train), else the gradients of all of them.
_PLAIN_BLOCKS = """
import numpy as np
import tensorflow as tf
import keras


class Blocks{base}:
    def __init__(self, n, units):
        {init}self.layers = {{f"block{{i}}": keras.layers.Dense(units, activation="relu") for i in range(n)}}

    {call}(self, x):
        for name in sorted(self.layers):
            x = self.layers[name](x)
        return x


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = Blocks(2, 8){mark}
        self.head = keras.layers.Dense(1){extra}

    def call(self, x):
        return self.head(self.blocks(x))


model = Net()
x = np.random.rand(4, 8).astype("float32")
model(x)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x)))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = ["zero"] if len(model.trainable_variables) < 6 else gradient_status(grads)
"""
CASES += [
    case(
        "tfg014_plain_object_keeps_dict_of_layers",
        "zero",
        _PLAIN_BLOCKS.format(base="", init="", call="def __call__", mark="  # <- TFG014", extra=""),
    ),
    case(
        "tfg014_plain_object_keeps_layers_trained_by_fit",
        "zero",
        """
        import numpy as np
        import keras


        class MLP:
            def __init__(self, sizes):
                self.hidden = [keras.layers.Dense(s, activation="relu") for s in sizes]
                self.out = keras.layers.Dense(1)

            def __call__(self, x):
                for layer in self.hidden:
                    x = layer(x)
                return self.out(x)


        class Critic(keras.Model):
            def __init__(self):
                super().__init__()
                self.mlp = MLP([8, 8])  # <- TFG014
                self.bias = keras.layers.Dense(1)

            def call(self, x):
                return self.mlp(x) + self.bias(x)


        critic = Critic()
        critic.compile(optimizer="sgd", loss="mse")
        x = np.random.rand(16, 3).astype("float32")
        critic(x)
        before = [w.numpy().copy() for w in critic.mlp.out.weights]
        critic.fit(x, np.random.rand(16, 1).astype("float32"), epochs=1, verbose=0)
        RESULT = ["zero" if np.array_equal(b, w.numpy()) else "ok" for b, w in zip(before, critic.mlp.out.weights)]
    """,
    ),
    # Near miss: the model also keeps the object's dict of layers itself (a tracked dict).
    case(
        "tfg014_ok_plain_object_layers_handed_to_the_model",
        "ok",
        _PLAIN_BLOCKS.format(
            base="", init="", call="def __call__", mark="", extra="\n        self.block_layers = self.blocks.layers"
        ),
    ),
    # Near miss: a functional model subclass applies the object's layers to its inputs: its graph tracks them.
    case(
        "tfg014_ok_plain_object_layers_in_functional_subclass",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras


        class Tower:
            def __init__(self):
                self.layers = [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(4)]

            def __call__(self, x):
                for layer in self.layers:
                    x = layer(x)
                return x


        class Net(keras.Model):
            def __init__(self):
                self.tower = Tower()
                inputs = keras.Input((8,))
                super().__init__(inputs, keras.layers.Dense(1)(self.tower(inputs)))


        model = Net()
        x = np.random.rand(4, 8).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Fixed: the blocks are a Keras layer.
    case(
        "tfg014_ok_blocks_made_a_keras_layer",
        "ok",
        _PLAIN_BLOCKS.format(
            base="(keras.layers.Layer)", init="super().__init__()\n        ", call="def call", mark="", extra=""
        ),
    ),
]

# A Lambda layer whose function captures a module-level variable (tensorflow#61658): Keras tracks nothing it captures.
CASES += [
    case(
        "tfg014_lambda_captures_module_tf_variable",
        "zero",
        """
        import numpy as np
        import tensorflow as tf

        weights = tf.Variable(tf.random.normal((4, 2)), name="w")
        bias = tf.ones((1, 2), name="b")

        mylayer1 = tf.keras.layers.Lambda(lambda x: tf.add(tf.matmul(x, weights), bias))  # <- TFG014
        model = tf.keras.Sequential([tf.keras.Input((4,)), mylayer1, tf.keras.layers.Dense(1)])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
        before = weights.numpy().copy()
        model.fit(np.random.rand(32, 4), np.random.rand(32, 1), epochs=2, verbose=0)
        RESULT = gradient_status([weights.numpy() - before])
    """,
    ),
    case(
        "tfg014_lambda_def_captures_keras_variable",
        "zero",
        """
        import keras
        import numpy as np

        scale = keras.Variable(np.ones((3,), "float32"), name="scale")


        def rescale(x):
            return x * scale


        model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(rescale), keras.layers.Dense(1)])  # <- TFG014
        model.compile(optimizer="sgd", loss="mse")
        before = np.array(scale.numpy())
        model.fit(np.random.rand(16, 3), np.random.rand(16, 1), epochs=2, verbose=0)
        RESULT = gradient_status([np.array(scale.numpy()) - before])
    """,
    ),
    case(
        "tfg014_lambda_variable_trained_by_its_own_loop",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        # The captured variable is differentiated and applied by name: trained on purpose.
        weights = tf.Variable(tf.random.normal((4, 2)), name="w")
        layer = tf.keras.layers.Lambda(lambda x: tf.matmul(x, weights))
        model = tf.keras.Sequential([tf.keras.Input((4,)), layer, tf.keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.random.rand(8, 4), np.random.rand(8, 1), verbose=0)
        optimizer = tf.keras.optimizers.SGD(0.1)
        x = tf.constant(np.random.rand(8, 4), tf.float32)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        params = [weights] + model.trainable_variables
        grads = tape.gradient(loss, params)
        optimizer.apply_gradients(zip(grads, params))
        RESULT = gradient_status(grads)
    """,
    ),
    case(
        "tfg014_lambda_reads_frozen_variable",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        # A fixed (non-trainable) matrix in a Lambda is fine: it is not meant to train.
        basis = tf.Variable(tf.random.normal((4, 4)), trainable=False)
        model = tf.keras.Sequential(
            [tf.keras.Input((4,)), tf.keras.layers.Lambda(lambda x: tf.matmul(x, basis)), tf.keras.layers.Dense(1)]
        )
        model.compile(optimizer="sgd", loss="mse")
        before = [w.numpy().copy() for w in model.trainable_variables]
        model.fit(np.random.rand(16, 4), np.random.rand(16, 1), epochs=2, verbose=0)
        RESULT = gradient_status([w.numpy() - b for w, b in zip(model.trainable_variables, before)])
    """,
    ),
    case(
        "tfg014_tf_variable_trainable_set_in_model_init",
        "raises:AttributeError",
        """
        import numpy as np
        import tensorflow as tf


        # tensorflow#60004: a raw tf.Variable made with trainable=False, then switched on.
        class Scaled(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.b = self.add_weight(shape=(1, 5), trainable=True)
                self.a = tf.Variable([1.0], trainable=False)
                self.a.trainable = True  # <- TFG014

            def call(self, inputs):
                return self.a * self.b * inputs


        model = Scaled()
        model.compile("adam", loss="mse")
        model.fit(np.random.randn(10, 5), np.random.randn(10, 1), verbose=0)
    """,
    ),
    case(
        "tfg014_tf_variable_trainable_set_in_script",
        "raises:AttributeError",
        """
        import tensorflow as tf

        temperature = tf.Variable(1.0, trainable=False)
        temperature.trainable = True  # <- TFG014
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(x / temperature)
        RESULT = gradient_status([tape.gradient(loss, temperature)])
    """,
    ),
    case(
        "tfg014_keras_weight_trainable_set_in_model_init",
        "ok",
        """
        import numpy as np
        import tensorflow as tf


        # A Keras weight's `trainable` has a setter; made trainable from the start, fit changes it.
        class Scaled(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.b = self.add_weight(shape=(1, 5), trainable=True)
                self.a = self.add_weight(shape=(1,), initializer="ones", trainable=True)
                self.b.trainable = True

            def call(self, inputs):
                return self.a * self.b * inputs


        model = Scaled()
        model.b.trainable = True
        model.compile("adam", loss="mse")
        before = model.a.numpy().copy()
        model.fit(np.random.randn(10, 5), np.random.randn(10, 1), epochs=3, verbose=0)
        RESULT = gradient_status([model.a.numpy() - before])
    """,
    ),
    case(
        "tfg014_lambda_affine_as_subclassed_layer_fixed",
        "ok",
        """
        import numpy as np
        import tensorflow as tf


        class Affine(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="random_normal")

            def call(self, x):
                return tf.matmul(x, self.w) + 1.0


        layer = Affine()
        model = tf.keras.Sequential([tf.keras.Input((4,)), layer, tf.keras.layers.Dense(1)])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
        model.build((None, 4))
        before = layer.w.numpy().copy()
        model.fit(np.random.rand(32, 4), np.random.rand(32, 1), epochs=2, verbose=0)
        RESULT = gradient_status([layer.w.numpy() - before])
    """,
    ),
]

# rasbt/python-machine-learning-book-3rd-edition#179 (held-out round U) with the book's two raw variables made in
# one tuple assignment: Keras 3 tracks neither, fit leaves both at 0.
_BOOK_MODEL = """
import numpy as np
import tensorflow as tf


class MyModel(tf.keras.Model):
    def __init__(self):
        super().__init__()
        {init}

    def call(self, x):
        return self.w * x + self.b


model = MyModel()
model.build((None, 1))
model.compile(optimizer="sgd", loss="mse")
x = np.arange(8, dtype="float32").reshape(-1, 1)
model.fit(x, 2 * x + 1, epochs=2, batch_size=4, verbose=0)
RESULT = ["zero" if float(model.w.numpy()) == 0.0 else "ok", "zero" if float(model.b.numpy()) == 0.0 else "ok"]
"""
CASES += [
    case(
        "tfg014_raw_variables_unpacked_from_a_tuple",
        "zero",
        _BOOK_MODEL.format(init="self.w, self.b = tf.Variable(0.0), tf.Variable(0.0)  # <- TFG014"),
    ),
    # Near-miss: the same tuple assignment of Keras 3 variables, which the model tracks.
    case(
        "tfg014_keras_variables_unpacked_from_a_tuple",
        "ok",
        _BOOK_MODEL.format(init="self.w, self.b = tf.keras.Variable(0.0), tf.keras.Variable(0.0)"),
    ),
    # Fixed: add_weight, one per line.
    case(
        "tfg014_tuple_unpacked_variables_fixed_with_add_weight",
        "ok",
        _BOOK_MODEL.format(
            init="""self.w = self.add_weight(shape=(), initializer="zeros")
        self.b = self.add_weight(shape=(), initializer="zeros")"""
        ),
    ),
]


# A layer whose "weights" are random tensors drawn in build (an RBF layer's centres: tf.random.normal), read by call:
# under TF 2.21 the layer has no trainable weights and fit never changes the centres (zero). add_weight with a random
# initializer is the fix; noise drawn in call, and a draw in __init__ that build replaces with add_weight, stay quiet.
_RBF = """
import numpy as np
import tensorflow as tf
from tensorflow import keras


class RBF(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
{init}

    def build(self, input_shape):
{build}

    def call(self, x):
        diff = tf.expand_dims(x, 1) - self.centers{noise}
        return tf.exp(-tf.reduce_sum(tf.square(diff), axis=-1))


model = keras.Sequential([keras.Input((3,)), RBF(4), keras.layers.Dense(1)])
model.compile(keras.optimizers.SGD(0.5), "mse")
layer = model.layers[0]
before = tf.identity(layer.centers).numpy()
model.fit(np.random.randn(32, 3).astype("float32"), np.random.randn(32, 1).astype("float32"), epochs=1, verbose=0)
RESULT = ["zero" if np.allclose(before, tf.identity(layer.centers).numpy()) else "ok"]
"""
_DRAW = "        self.centers = tf.random.normal((self.units, input_shape[-1]))"
_WEIGHT = '        self.centers = self.add_weight(shape=(self.units, input_shape[-1]), initializer="random_normal")'
CASES += [
    case(
        "tfg014_random_tensor_drawn_in_build_as_layer_weight",
        "zero",
        _RBF.format(init="", build=_DRAW + "  # <- TFG014", noise=""),
    ),
    case(
        "tfg014_random_tensor_drawn_in_build_as_layer_weight_fixed",
        "ok",
        _RBF.format(init="", build=_WEIGHT, noise=""),
    ),
    case(
        "tfg014_ok_noise_drawn_in_call",
        "ok",
        _RBF.format(init="", build=_WEIGHT, noise=" + 0.01 * tf.random.normal(tf.shape(x)[:1])[:, None, None]"),
    ),
    case(
        "tfg014_ok_init_draw_replaced_by_add_weight_in_build",
        "ok",
        _RBF.format(init="        self.centers = tf.random.normal((units, 3))", build=_WEIGHT, noise=""),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG014"}) == c.expected


def test_fix_is_the_keras_variable_and_idempotent():
    fixed = _fixed(BUGGY_LAYER)
    assert 'self.w = tf.keras.Variable(tf.random.normal((3, 1)), name="w")' in fixed
    assert _fixed(fixed) == fixed


def test_legacy_keras_environment_means_keras_2():
    # TF_USE_LEGACY_KERAS=1 before TensorFlow's import makes tf.keras Keras 2, which tracks the variable.
    # (Not run in the shared TF worker: the variable must be set before TensorFlow is first imported.)
    assert findings_of(LEGACY_KERAS_ENV, {"TFG014"}) == set()
    assert findings_of(LEGACY_KERAS_ENV.replace('"1"', '"0"'), {"TFG014"}) == {("TFG014", 10)}


_PACKAGE_LAYER = """
import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((3, 1)), name="w")

    def call(self, x):
        return tf.matmul(x, self.w)


def trains():
    layer = Scale()
    model = tf.keras.Sequential([tf.keras.Input((3,)), layer])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")
    before = layer.w.numpy().copy()
    model.fit(np.random.rand(8, 3).astype("float32"), np.random.rand(8, 1).astype("float32"), epochs=2, verbose=0)
    return not np.allclose(before, layer.w.numpy())
"""


@pytest.mark.parametrize("legacy", [True, False])
def test_package_init_naming_legacy_keras_means_keras_2(tmp_path, legacy):
    """A package whose `__init__` sets TF_USE_LEGACY_KERAS before TensorFlow loads (tensorflow-gnn's refuses to
    import without it) runs `tf.keras` as Keras 2 in all its modules, subpackages and namespace folders included:
    the raw variable trains, and TFG014 is silent there. Run in its own process: the variable must be set before
    TensorFlow is first imported."""
    import subprocess

    from gradls.analysis.project import ProjectIndex
    from tfharness import tf_python

    pkg = tmp_path / "pkg"
    (pkg / "models").mkdir(parents=True)  # a namespace folder inside the package, as tensorflow-gnn's models/
    init = 'import os\n\nos.environ.setdefault("TF_USE_LEGACY_KERAS", "1")\n' if legacy else "import os\n"
    (pkg / "__init__.py").write_text(init)
    layer_file = pkg / "models" / "scale.py"
    layer_file.write_text(_PACKAGE_LAYER)
    proc = subprocess.run(
        [tf_python(), "-c", "import pkg.models.scale as m; print('TRAINS', m.trains())"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env={
            **{k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"},
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "CUDA_VISIBLE_DEVICES": "-1",
        },
    )
    assert f"TRAINS {legacy}" in proc.stdout, proc.stdout[-2000:] + proc.stderr[-3000:]
    found = analyze(layer_file.read_text(), str(layer_file), project=ProjectIndex(tmp_path)).findings
    assert [f.code for f in found if f.code == "TFG014"] == ([] if legacy else ["TFG014"])
