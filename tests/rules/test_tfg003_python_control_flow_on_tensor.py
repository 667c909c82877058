"""TFG003 python-control-flow-on-tensor: only where TensorFlow traces without AutoGraph."""

import textwrap

import pytest

from rules.casekit import case, check_verdict, findings_of

_FIT = """
model = tf.keras.Sequential([tf.keras.Input((3,)), {layer}])
model.compile(optimizer="sgd", loss="mse"{extra})
model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
"""


def fit_case(name, tf, body, fit):
    return case(name, tf, textwrap.dedent(body) + fit)


CASES = [
    fit_case(
        "tfg003_layer_call_if_under_fit",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf

        class Gate(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))

            def call(self, x, training=None):
                if training:
                    x = x * 1.0
                if tf.reduce_sum(x) > 0:  # <- TFG003
                    return tf.matmul(x, self.w)
                return -tf.matmul(x, self.w)
    """,
        _FIT.format(layer="Gate()", extra=""),
    ),
    case(
        "tfg003_model_call_ternary_under_fit",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def call(self, x):
                h = self.dense(x)
                return h if tf.reduce_mean(h) > 0 else -h  # <- TFG003

        model = Net()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg003_custom_gradient_grad_fn_in_tf_function",
        "raises:OperatorNotAllowedInGraphError",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def soft_clip(x):
            def grad(dy):
                if tf.reduce_max(x) > 1.0:  # <- TFG003
                    return dy * 0.5
                return dy
            return tf.clip_by_value(x, -1.0, 1.0), grad

        w = tf.Variable([0.5, 2.0])

        @tf.function
        def step():
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(soft_clip(w * 2.0))
            return tape.gradient(loss, w)

        step()
    """,
    ),
    case(
        "tfg003_tf_function_autograph_off",
        "raises:OperatorNotAllowedInGraphError",
        """
        import tensorflow as tf

        w = tf.Variable(1.0)

        @tf.function(autograph=False)
        def step(x):
            with tf.GradientTape() as tape:
                y = w * x
                while y < 10.0:  # <- TFG003
                    y = y * 2.0
            return tape.gradient(y, w)

        step(tf.constant(3.0))
    """,
    ),
    fit_case(
        "tfg003_compiled_loss_and",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf

        def gated_mse(y_true, y_pred):
            big = tf.reduce_max(y_pred) > 1.0 and tf.reduce_min(y_pred) > 0.0  # <- TFG003
            return tf.reduce_mean(tf.square(y_true - y_pred)) * (2.0 if big else 1.0)  # <- TFG003
    """,
        _FIT.format(layer="tf.keras.layers.Dense(1)", extra="").replace('loss="mse"', "loss=gated_mse"),
    ),
    fit_case(
        # a loss factory's closure given to compile() is traced by Keras like a loss function (round B,
        # tensorflow#35713's shape)
        "tfg003_compiled_loss_factory_closure_if",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf

        def make_loss(margin):
            def hinge_or_mse(y_true, y_pred):
                if tf.reduce_max(y_pred) > margin:  # <- TFG003
                    return tf.reduce_mean(tf.maximum(0.0, margin - y_true * y_pred))
                return tf.reduce_mean(tf.square(y_true - y_pred))

            return hinge_or_mse
    """,
        _FIT.format(layer="tf.keras.layers.Dense(1)", extra="").replace('loss="mse"', "loss=make_loss(1.0)"),
    ),
    fit_case(
        "tfg003_ok_compiled_loss_factory_closure_tf_where",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        def make_loss(margin):
            def hinge_or_mse(y_true, y_pred):
                hinge = tf.reduce_mean(tf.maximum(0.0, margin - y_true * y_pred))
                return tf.where(tf.reduce_max(y_pred) > margin, hinge, tf.reduce_mean(tf.square(y_true - y_pred)))

            return hinge_or_mse
    """,
        _FIT.format(layer="tf.keras.layers.Dense(1)", extra="").replace('loss="mse"', "loss=make_loss(1.0)"),
    ),
    fit_case(
        "tfg003_layer_call_not_under_fit",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf

        class Flip(tf.keras.layers.Layer):
            def call(self, x):
                neg = not tf.reduce_all(x > 0)  # <- TFG003
                return -x if neg else x  # <- TFG003
    """,
        _FIT.format(layer="Flip(), tf.keras.layers.Dense(1)", extra=""),
    ),
    case(
        "tfg003_assert_in_lambda_layer_fn",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf

        def check_positive(x):
            assert tf.reduce_all(x > -100.0)  # <- TFG003
            return x

        model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Lambda(check_positive), tf.keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # ----- near misses
    case(
        "tfg003_ok_eager_tape_if",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        with tf.GradientTape() as tape:
            y = w * 3.0
            if y > 0:
                loss = y * y
            else:
                loss = -y
        RESULT = gradient_status([tape.gradient(loss, w)])
    """,
    ),
    case(
        "tfg003_ok_autograph_tf_function",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)

        def clipped(y):
            return y if y < 5.0 else 5.0 + 0.1 * y

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                y = w * x
                if tf.reduce_sum(y) > 0:
                    y = y * 2.0
                while y > 100.0:
                    y = y / 2.0
                loss = clipped(y)
            return tape.gradient(loss, w)

        RESULT = gradient_status([step(tf.constant(3.0))])
    """,
    ),
    # run_eagerly does not help when a symbolic Input makes Keras build the model as a graph.
    fit_case(
        "tfg003_run_eagerly_with_symbolic_input",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf

        class Gate(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))

            def call(self, x):
                if tf.reduce_sum(x) > 0:  # <- TFG003
                    return tf.matmul(x, self.w)
                return -tf.matmul(x, self.w)
    """,
        _FIT.format(layer="Gate()", extra=", run_eagerly=True"),
    ),
    case(
        "tfg003_ok_run_eagerly_subclassed_model",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Net(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def call(self, x):
                h = self.dense(x)
                if tf.reduce_mean(h) > 0:
                    h = h * 2.0
                return h

        model = Net()
        model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    fit_case(
        "tfg003_ok_python_values_in_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Block(tf.keras.layers.Layer):
            def __init__(self, use_bias=True, **kw):
                super().__init__(**kw)
                self.use_bias = use_bias
                self.dense = tf.keras.layers.Dense(1, use_bias=use_bias)

            def call(self, x, training=None, mask=None):
                if training:
                    x = x * 1.0
                if mask is not None and self.use_bias:
                    x = x * tf.cast(mask, x.dtype)
                if x.shape[-1] > 2 or len(x.shape) != 2:
                    x = x[:, :2]
                while not self.built:
                    break
                scale = 2.0 if self.use_bias else 1.0
                return self.dense(x) * scale
    """,
        _FIT.format(layer="Block()", extra=""),
    ),
    case(
        "tfg003_ok_layer_used_eagerly_only",
        "ok",
        """
        import tensorflow as tf

        class Gate(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))

            def call(self, x):
                if tf.reduce_sum(x) > 0:
                    return tf.matmul(x, self.w)
                return -tf.matmul(x, self.w)

        layer = Gate()
        x = tf.ones((2, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    case(
        "tfg003_ok_custom_gradient_eager_only",
        "ok",
        """
        import tensorflow as tf

        @tf.custom_gradient
        def soft_clip(x):
            def grad(dy):
                if tf.reduce_max(x) > 1.0:
                    return dy * 0.5
                return dy
            return tf.clip_by_value(x, -1.0, 1.0), grad

        w = tf.Variable([0.5, 2.0])
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(soft_clip(w * 2.0))
        RESULT = gradient_status([tape.gradient(loss, w)])
    """,
    ),
    # Keras 2 (tf_keras) AutoGraph-converts `call`: the same `if` trains under fit.
    case(
        "tfg003_tf_keras_layer_if_is_converted",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import tf_keras

        class Gate(tf_keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))

            def call(self, x):
                y = tf.matmul(x, self.w)
                if tf.reduce_sum(y) > 0:
                    y = y * 2.0
                return y

        model = tf_keras.Sequential([tf_keras.Input((3,)), Gate()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # An optional argument with a default is a Python value here (a config dict or None), not a tensor.
    case(
        "tfg003_optional_python_argument_of_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Decoder(tf.keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def call(self, x, cache=None, scale=None):
                h = self.dense(x)
                if cache:
                    h = h + cache["bias"]
                return h * scale if scale else h

        model = tf.keras.Sequential([tf.keras.Input((3,)), Decoder()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # `not tf.is_tensor(n) and n == 1`: Python never evaluates `n == 1` on a tensor.
    case(
        "tfg003_is_tensor_guard_narrows",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Repeat(tf.keras.layers.Layer):
            def __init__(self, times=1):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)
                self.times = times

            def call(self, x):
                n = self.times
                if not tf.is_tensor(n) and n == 1:
                    return self.dense(x)
                return self.dense(x) * 2.0

        model = tf.keras.Sequential([tf.keras.Input((3,)), Repeat()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # The text `.fit(` in a comment proves nothing: this layer only ever runs eagerly under a tape.
    case(
        "tfg003_fit_in_a_comment_is_not_graph_evidence",
        "ok",
        """
        import tensorflow as tf

        # Unlike model.fit(...) and keras.Input(...), this eager loop runs `call` eagerly.
        class Gate(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))

            def call(self, x):
                y = tf.matmul(x, self.w)
                if tf.reduce_sum(y) > 0:
                    y = y * 2.0
                return y

        gate = Gate()
        x = tf.ones((4, 3))
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(gate(x))
        grads = tape.gradient(loss, gate.trainable_variables)
        RESULT = ["none" if g is None else "ok" for g in grads]
    """,
    ),
    # keras-hub 0.32.0 shapes (d_fine, rwkv7, flux...): under the TF backend `keras.ops.ndim` is a Python int
    # and `keras.ops.shape` gives Python ints for static dims, so these `if`s are Python tests when `fit` traces.
    case(
        "tfg003_ok_keras_ops_static_shape_and_ndim_in_call_fit",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Head(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(2)

            def call(self, x):
                y = self.dense(x)
                if keras.ops.shape(x)[-1] == 2:
                    y = y * 2.0
                if keras.ops.ndim(x) == 2:
                    y = y + 1.0
                return y

        model = keras.Sequential([keras.Input((2,)), Head()])
        model.compile(optimizer="sgd", loss="mse")
        x = np.random.rand(8, 2).astype("float32")
        model.fit(x, np.random.rand(8, 2).astype("float32"), batch_size=4, epochs=1, verbose=0)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(x) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)
        RESULT = ["none" if g is None else "ok" for g in grads]
    """,
    ),
]


# A `call` argument after the first holds what the callers pass: Keras hands only the first one in itself, and a
# Python int passed by the caller stays a Python int while `fit` traces (keras-hub flux / vit_det shapes).
_HEADS = """
import numpy as np
import tensorflow as tf

class Heads(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(4)

    def call(self, x, num_heads):
        parts = []
        if num_heads > 1:{mark}
            for i in range(num_heads):
                parts.append(self.dense(x) * float(i + 1))
        else:
            parts.append(self.dense(x))
        return tf.add_n(parts)
"""

CASES += [
    case(
        "tfg003_ok_call_argument_every_caller_passes_an_int",
        "ok",
        _HEADS.format(mark="")
        + """
class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.heads = Heads()

    def call(self, x):
        return self.heads(x, num_heads=4)

model = Net()
model.compile(optimizer="sgd", loss="mse")
x = np.linspace(0.1, 1.0, 12).reshape(4, 3).astype("float32")
model.fit(x, np.ones((4, 4), "float32"), epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(model(x) ** 2)
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
""",
    ),
    # The same layer, one caller passing a tensor: the `if` raises under fit.
    case(
        "tfg003_call_argument_a_caller_passes_a_tensor",
        "raises:OperatorNotAllowedInGraphError",
        _HEADS.format(mark="  # <- TFG003")
        + """
class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.heads = Heads()

    def call(self, x):
        return self.heads(x, num_heads=4) + self.heads(x, tf.reduce_sum(x))

model = Net()
model.compile(optimizer="sgd", loss="mse")
model.fit(np.ones((4, 3), "float32"), np.ones((4, 4), "float32"), epochs=1, verbose=0)
""",
    ),
    # ... or the argument of a tf.function step, traced as a tensor.
    case(
        "tfg003_call_argument_from_a_tf_function_argument",
        "raises:OperatorNotAllowedInGraphError",
        _HEADS.format(mark="  # <- TFG003")
        + """
heads = Heads()

@tf.function
def step(x, n):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(heads(x, n))
    return tape.gradient(loss, heads.trainable_variables)

step(tf.ones((2, 3)), tf.constant(4))
""",
    ),
    # keras-hub vit_det: static spatial dims of `ops.shape(x)` passed down as `query_size=(h, w)`, then compared
    # in a helper; Python ints while the functional model is built and fit.
    case(
        "tfg003_ok_static_shape_passed_to_call_and_helper",
        "ok",
        """
        import numpy as np
        import keras
        from keras import ops

        class RelPos(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.table = self.add_weight(shape=(7, 2), initializer="ones")

            def _rel(self, q, k, table):
                span = 2 * max(q, k) - 1
                if ops.shape(table)[0] != span:
                    return table[:span]
                return table

            def call(self, attn, query_size, key_size):
                qh, qw = query_size[0], query_size[1]
                t = self._rel(qh, key_size[0], self.table)
                return attn + ops.sum(t) * float(qw)

        class Attn(keras.layers.Layer):
            def __init__(self):
                super().__init__()
                self.proj = keras.layers.Dense(2)
                self.rel = RelPos()

            def call(self, x):
                batch, height, width, channels = ops.shape(x)
                a = self.proj(x)
                return self.rel(a, query_size=(height, width), key_size=(height, width))

        inp = keras.Input((4, 4, 3))
        model = keras.Model(inp, Attn()(inp))
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((2, 4, 4, 3), "float32"), np.ones((2, 4, 4, 2), "float32"), epochs=1, verbose=0)
    """,
    ),
]

# Flags handed from layer to layer (the Hugging Face TF models' shape: `output_attentions`, `use_cache`, a
# `bool` annotation): a Python value forwarded as it came tells the inner layer nothing about tensors.
_FLAG_LAYERS = """
import numpy as np
import tensorflow as tf
from tensorflow import keras


class Attention(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.proj = keras.layers.Dense(4)

    def call(self, x, mask, use_cache, output_attentions):
        out = self.proj(x)
        if output_attentions:  # {mark}
            return out, out
        return (out,)


class Block(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.attn = Attention()

    def call(self, x, mask, use_cache, output_attentions, training=False):
        return self.attn(x, mask=mask, use_cache=use_cache, output_attentions=output_attentions)


class Encoder(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.out = keras.layers.Dense(1)

    def call(self, x, output_hidden_states: bool, output_attentions, training=False):
        hidden = () if output_hidden_states else None
        outputs = self.block(x, mask=None, use_cache=False, output_attentions=output_attentions, training=training)
        if output_hidden_states:
            hidden = hidden + (outputs[0],)
        return self.out(outputs[0])


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder()

    def call(self, x, output_hidden_states=None, output_attentions=None, training=False):
        output_attentions = output_attentions if output_attentions is not None else self.{flag_attr}
        return self.encoder(x, output_hidden_states=bool(output_hidden_states), output_attentions={passed})

    {extra}


model = Net()
model.compile(optimizer="sgd", loss="mse")
model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
"""

CASES += [
    # The flags are Python values all the way down: trains under fit (was reported on every `if`).
    case(
        "tfg003_flags_forwarded_through_layers_near_miss",
        "ok",
        _FLAG_LAYERS.replace("{mark}", "Python bool")
        .replace("{flag_attr}", "flag")
        .replace("{passed}", "output_attentions")
        .replace("{extra}", "flag = False"),
    ),
    # The outer model hands a tensor where the flag goes, two layers down: the `if` raises under fit.
    case(
        "tfg003_tensor_forwarded_through_layers_as_flag",
        "raises:OperatorNotAllowedInGraphError",
        _FLAG_LAYERS.replace("{mark}", "<- TFG003")
        .replace("{flag_attr}", "flag")
        .replace("{passed}", "tf.reduce_sum(x) > 0")
        .replace("{extra}", "flag = False"),
    ),
    # TensorFlow's own Python utilities from its internal modules answer with Python values.
    case(
        "tfg003_tf_internal_python_utilities_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow.python.framework import smart_cond
        from tensorflow.python.util import nest

        class Cell(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))

            def call(self, x, training=None):
                state = x[0] if nest.is_nested(x) else x
                if smart_cond.smart_constant_value(tf.constant(True)):
                    state = state * 1.0
                return tf.matmul(state, self.w)

        model = tf.keras.Sequential([tf.keras.Input((3,)), Cell()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
]


# Python's max/min on tensors compare them and take a Python bool: traced code raises (AutoGraph does not convert
# the builtins); eagerly, and on static shapes, they are fine (TF 2.21).
CASES += [
    case(
        "tfg003_python_max_on_tensors_in_tf_function",
        "raises:OperatorNotAllowedInGraphError",
        """
        import tensorflow as tf

        w = tf.Variable(1.0)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                loss = max(w * x, 0.5 * x)  # <- TFG003
            return tape.gradient(loss, w)

        step(tf.constant(2.0))
        """,
    ),
    case(
        "tfg003_python_min_on_tensors_in_keras_call",
        "raises:OperatorNotAllowedInGraphError",
        """
        import keras

        class Clip(keras.layers.Layer):
            def call(self, x):
                return min(x, 1.0 + 0.0 * x)  # <- TFG003

        inp = keras.Input((4,))
        model = keras.Model(inp, Clip()(keras.layers.Dense(4)(inp)))
        """,
    ),
    case(
        "tfg003_ok_python_max_eagerly_and_on_static_shapes",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(1.0)
        with tf.GradientTape() as tape:
            loss = max(w * 2.0, tf.constant(0.5))
        g = tape.gradient(loss, w)

        @tf.function
        def scale(x):
            return x * max(x.shape[0], 2)

        scale(tf.ones((3,)))
        RESULT = gradient_status([g])
        """,
    ),
    case(
        "tfg003_python_max_on_tensors_in_tf_function_fixed",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(1.0)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                loss = tf.maximum(w * x, 0.5 * x)
            return tape.gradient(loss, w)

        RESULT = gradient_status([step(tf.constant(2.0))])
        """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG003"}) == c.expected


# ----- across files: the layer in one module, its only caller in another (keras-hub flux: `TimestepEmbedding`
# in flux_maths.py, called with `dim=256` from flux_model.py).  Each project is written to a folder, analysed
# with the project index and run under TensorFlow (one process for all).
_EMBEDDING = """
import tensorflow as tf

class TimestepEmbedding(tf.keras.layers.Layer):
    def call(self, t, dim):
        odd = False
        if dim % 2 != 0:{mark}
            odd = True
        half = dim // 2
        freqs = tf.exp(-tf.cast(tf.range(half), t.dtype) / float(half))
        args = t[:, None] * freqs[None]
        emb = tf.concat([tf.cos(args), tf.sin(args)], axis=-1)
        if odd:
            emb = tf.concat([emb, tf.zeros_like(emb[:, :1])], axis=-1)
        return emb
"""
_TRAIN = """
import numpy as np
import tensorflow as tf
from {pkg}.embedding import TimestepEmbedding

class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.embed = TimestepEmbedding()
        self.out = tf.keras.layers.Dense(1)

    def call(self, t):
        return self.out(self.embed(t, {dim}))

model = Net()
model.compile(optimizer="sgd", loss="mse")
model.fit(np.linspace(0.1, 1.0, 8).astype("float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
RESULT = "trained"
"""
# name -> (files, TF verdict, findings with the project index as {(file, line)})
CROSS_FILE = {
    "int_from_another_file": (
        {
            "xfi_pkg/__init__.py": "",
            "xfi_pkg/embedding.py": _EMBEDDING.format(mark=""),
            "train.py": _TRAIN.format(pkg="xfi_pkg", dim="dim=7"),
        },
        "trained",
        set(),
    ),
    "tensor_from_another_file": (
        {
            "xft_pkg/__init__.py": "",
            "xft_pkg/embedding.py": _EMBEDDING.format(mark="  # <- TFG003"),
            "train.py": _TRAIN.format(pkg="xft_pkg", dim="tf.shape(t)[0] + 1"),
        },
        "raises:OperatorNotAllowedInGraphError",
        {("xft_pkg/embedding.py", 6)},
    ),
}
# keras-hub's layout: `tf = try_import_tensorflow()` and `in_tf_function()` in a utils module, the base layer's
# `_use_tf_workflow()` in another, the layer in a third; its Python path runs only eagerly.
_TF_UTILS = """
def try_import_tensorflow():
    try:
        import tensorflow as _tf
    except ImportError:
        return None
    return _tf


tf = try_import_tensorflow()


def in_tf_function():
    if tf is None:
        return False
    return not tf.executing_eagerly()
"""
_BASE_LAYER = """
import keras

from {pkg}.tensor_utils import in_tf_function


class PreprocessingLayer(keras.layers.Layer):
    def _use_tf_workflow(self):
{guard}        return getattr(self, "use_tf_ops", False)
"""
_PACKER = """
import keras

from {pkg}.base import PreprocessingLayer
from {pkg}.tensor_utils import tf


class Packer(PreprocessingLayer):
    def call(self, inputs):
        if self._use_tf_workflow():
            return self._call_tf(inputs)
        return self._call_python(inputs)

    def _call_tf(self, inputs):
        is_symbolic = tf is not None and hasattr(inputs, "graph")
        if is_symbolic:
            return inputs * 2.0
        return inputs

    def _call_python(self, inputs):
        if keras.ops.sum(inputs) > 0:{mark}
            return inputs * 2.0
        return inputs
"""
_PACK_TRAIN = """
import numpy as np
import tensorflow as tf
import keras
from {pkg}.packer import Packer

mapped = list(tf.data.Dataset.from_tensor_slices(np.ones((4, 3), "float32")).batch(2).map(Packer()))
model = keras.Sequential([keras.Input((3,)), Packer(), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
RESULT = "trained"
"""
CROSS_FILE.update(
    {
        "eager_guard_in_other_modules": (
            {
                "xeg_pkg/__init__.py": "",
                "xeg_pkg/tensor_utils.py": _TF_UTILS,
                "xeg_pkg/base.py": _BASE_LAYER.format(
                    pkg="xeg_pkg", guard="        if in_tf_function():\n            return True\n"
                ),
                "xeg_pkg/packer.py": _PACKER.format(pkg="xeg_pkg", mark=""),
                "train.py": _PACK_TRAIN.format(pkg="xeg_pkg"),
            },
            "trained",
            set(),
        ),
        "no_eager_guard_in_other_modules": (
            {
                "xng_pkg/__init__.py": "",
                "xng_pkg/tensor_utils.py": _TF_UTILS,
                "xng_pkg/base.py": _BASE_LAYER.format(pkg="xng_pkg", guard=""),
                "xng_pkg/packer.py": _PACKER.format(pkg="xng_pkg", mark="  # <- TFG003"),
                "train.py": _PACK_TRAIN.format(pkg="xng_pkg"),
            },
            "raises:OperatorNotAllowedInGraphError",
            {("xng_pkg/packer.py", 20)},
        ),
    }
)
_DRIVER = r"""
import json, runpy, sys
out = {}
for name, folder in json.loads(sys.argv[1]).items():
    sys.path.insert(0, folder)
    try:
        out[name] = runpy.run_path(folder + "/train.py", run_name="__main__").get("RESULT")
    except Exception as e:
        out[name] = "raises:" + type(e).__name__
    finally:
        sys.path.remove(folder)
print("@@RESULT@@" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def cross_file_projects(tmp_path_factory):
    roots = {}
    for name, (files, _, _) in CROSS_FILE.items():
        root = roots[name] = tmp_path_factory.mktemp(name)
        (root / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(textwrap.dedent(text).lstrip("\n"))
    return roots


def test_cross_file_tensorflow_verdict(cross_file_projects):
    import json
    import os
    import subprocess

    from tfharness import tf_python

    proc = subprocess.run(
        [tf_python(), "-c", _DRIVER, json.dumps({k: str(v) for k, v in cross_file_projects.items()})],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "-1"},
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("@@RESULT@@")), None)
    assert line is not None, proc.stdout[-2000:] + proc.stderr[-4000:]
    got = json.loads(line[len("@@RESULT@@") :])
    assert got == {name: verdict for name, (_, verdict, _) in CROSS_FILE.items()}


@pytest.mark.parametrize("name", CROSS_FILE)
def test_cross_file_gradls_reports_what_the_callers_pass(name, cross_file_projects):
    from gradls.analysis import analyze
    from gradls.analysis.project import ProjectIndex

    root = cross_file_projects[name]
    index = ProjectIndex(root)
    found = set()
    for f in sorted(root.rglob("*.py")):
        r = analyze(f.read_text(), str(f), project=index)
        found |= {(f.relative_to(root).as_posix(), x.span.line) for x in r.findings if x.code == "TFG003"}
    assert found == CROSS_FILE[name][2]
    # Alone, the layer's module knows no caller: `dim` is unknown, and unknown stays silent.
    for f in root.rglob("embedding.py"):
        assert not [x for x in analyze(f.read_text(), str(f), project=False).findings if x.code == "TFG003"]


CASES += [
    # tensorflow-addons' CRF: a padding check only where the code runs eagerly; under fit it is skipped.
    case(
        "tfg003_check_under_executing_eagerly_guard_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf

        class Crf(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))

            def call(self, x):
                first = x[:, 0]
                if first is not None and tf.executing_eagerly():
                    no_left_padding = tf.math.reduce_all(first > -1e9)
                    if not no_left_padding:
                        raise NotImplementedError("left padding")
                return tf.matmul(x, self.w)

        model = tf.keras.Sequential([tf.keras.Input((3,)), Crf()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # The same check without the guard runs under fit's trace and raises.
    case(
        "tfg003_check_without_executing_eagerly_guard",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf

        class Crf(tf.keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 1))

            def call(self, x):
                first = x[:, 0]
                if first is not None:
                    no_left_padding = tf.math.reduce_all(first > -1e9)
                    if not no_left_padding:  # <- TFG003
                        raise NotImplementedError("left padding")
                return tf.matmul(x, self.w)

        model = tf.keras.Sequential([tf.keras.Input((3,)), Crf()])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # tensorflow-ranking's layers: the input is a structure unpacked in `call`; its parts are a tensor and a
    # dict of tensors, whose truth value is Python's.
    case(
        "tfg003_part_of_unpacked_structured_input_near_miss",
        "ok",
        """
        from collections.abc import Mapping

        import numpy as np
        import tensorflow as tf

        class Tower(tf.keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = tf.keras.layers.Dense(1)

            def call(self, inputs):
                features, context = inputs
                if context and self.dense is not None:
                    features = features + context["c"]
                if isinstance(context, Mapping) and not context:
                    features = features * 2.0
                return self.dense(features)

        model = Tower()
        model.compile(optimizer="sgd", loss="mse")
        x = (np.ones((4, 3), "float32"), {"c": np.ones((4, 3), "float32")})
        model.fit(x, np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
]


# A preprocessing layer mapped over a tf.data pipeline: tf.data converts its map function with AutoGraph, but not
# the Keras layer's `call` it reaches through `Layer.__call__`, so the `if` still raises (measured under TF 2.21).
CASES += [
    case(
        "tfg003_preprocessing_layer_mapped_over_dataset",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class PreprocessingLayer(keras.layers.Layer):
            pass

        class Clipper(PreprocessingLayer):
            def call(self, x):
                if tf.reduce_any(x > 1.0):  # <- TFG003
                    x = tf.minimum(x, 1.0)
                return x

        clip = Clipper()
        data = tf.data.Dataset.from_tensor_slices(np.random.rand(8, 3).astype("float32") * 2).batch(4)
        out = [b.numpy() for b in data.map(clip)]
        eager = clip(tf.constant([[2.0, 0.5, 0.1]]))
    """,
    ),
]


# keras-hub's preprocessing layers: `call` takes a TF path when traced and a Python path eagerly, through a helper
# that computes "am I traced?" (`in_tf_function()` = `not tf.executing_eagerly()`), and packers wrap a lone input
# in a tuple before testing it.  Measured under TF 2.21 / Keras 3.15.1: under fit, a tf.data map and eagerly the
# guarded layer runs; with a helper that does not look at the execution mode the Python path raises when traced.
_GUARDED_LAYER = """
import numpy as np
import tensorflow as tf
from tensorflow import keras


def in_tf_function():
    if tf is None:
        return False
    return not tf.executing_eagerly()


class Packer(keras.layers.Layer):
    def _use_tf_workflow(self):
{guard}
    def call(self, inputs):
        if self._use_tf_workflow():
            return self._call_tf(inputs)
        else:
            return self._call_python(inputs)

    def _call_tf(self, inputs):
        if not isinstance(inputs, tuple):
            inputs = (inputs,)
        if not inputs:
            raise ValueError("At least one input is required for packing.")
        return inputs[0] * 2.0

    def _call_python(self, inputs):
        if tf.reduce_sum(inputs) > 0:{mark}
            return inputs * 2.0
        return inputs


packer = Packer()
eager = packer(tf.ones((2, 3)))
mapped = list(tf.data.Dataset.from_tensor_slices(np.ones((4, 3), "float32")).batch(2).map(packer))
model = keras.Sequential([keras.Input((3,)), Packer(), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
"""
CASES += [
    case(
        "tfg003_python_path_behind_in_tf_function_helper_near_miss",
        "ok",
        _GUARDED_LAYER.format(
            guard="""        if in_tf_function():
            return True
        if getattr(self, "allow_python_workflow", True):
            return False
        return True
""",
            mark="",
        ),
    ),
    # The same layer whose helper reads only a setting: the Python path is traced too, and its `if` raises.
    case(
        "tfg003_python_path_behind_helper_that_is_no_eager_guard",
        "raises:OperatorNotAllowedInGraphError",
        _GUARDED_LAYER.format(
            guard="""        return getattr(self, "use_tf_ops", False)
""",
            mark="  # <- TFG003",
        ),
    ),
    # A helper returning a constant says nothing about tracing, and a subclass may override it: here the
    # subclass's override sends the traced call down the Python path, which raises.
    case(
        "tfg003_python_path_behind_overridden_constant_helper",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Base(keras.layers.Layer):
            def _use_tf_workflow(self):
                return True

            def call(self, inputs):
                if self._use_tf_workflow():
                    return inputs * 2.0
                return self._call_python(inputs)

            def _call_python(self, inputs):
                if tf.reduce_sum(inputs) > 0:  # <- TFG003
                    return inputs * 3.0
                return inputs

        class Packer(Base):
            def _use_tf_workflow(self):
                return False

        model = keras.Sequential([keras.Input((3,)), Packer(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # keras-hub's moonshine converter: a flag that holds for a symbolic tensor only (an eager tensor has no
    # `graph`); its else branch converts to NumPy and branches in Python, which runs only eagerly.
    case(
        "tfg003_branch_on_symbolic_tensor_flag_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Converter(keras.layers.Layer):
            def call(self, inputs):
                is_tf_symbolic = tf is not None and hasattr(inputs, "graph") and hasattr(inputs.graph, "as_graph_def")
                use_tf_graph_ops = tf is not None and is_tf_symbolic
                if use_tf_graph_ops and keras.config.backend() != "torch":
                    return tf.cond(tf.reduce_sum(inputs) > 0, lambda: inputs * 2.0, lambda: inputs)
                else:
                    if keras.ops.convert_to_numpy(tf.reduce_sum(inputs)) > 0:
                        return inputs * 2.0
                    return inputs

        conv = Converter()
        eager = conv(tf.ones((2, 3)))
        mapped = list(tf.data.Dataset.from_tensor_slices(np.ones((4, 3), "float32")).batch(2).map(conv))
        model = keras.Sequential([keras.Input((3,)), Converter(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # The flag tested the other way round: the NumPy branch is the traced one.
    case(
        "tfg003_branch_taken_when_symbolic",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Converter(keras.layers.Layer):
            def call(self, inputs):
                use_tf_graph_ops = hasattr(inputs, "graph")
                if use_tf_graph_ops:
                    if tf.reduce_sum(inputs) > 0:  # <- TFG003
                        return inputs * 2.0
                return inputs

        model = keras.Sequential([keras.Input((3,)), Converter(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    # A tuple wrapped around the input on one path only: on the other the input is still a tensor.
    case(
        "tfg003_tuple_wrapped_on_one_path_only",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Packer(keras.layers.Layer):
            def __init__(self, wrap=False):
                super().__init__()
                self.wrap = wrap

            def call(self, inputs):
                if self.wrap:
                    inputs = (inputs,)
                if not inputs:  # <- TFG003
                    raise ValueError("no input")
                return inputs * 2.0

        model = keras.Sequential([keras.Input((3,)), Packer(), keras.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
]

# neural-structured-learning's GraphRegularization: the parts of a project layer's output, unpacked, include a
# dict of neighbour features, whose truth value is Python's (measured: trains under fit).  The outputs of a built-in
# Keras layer are tensors: testing one raises.
CASES += [
    case(
        "tfg003_part_of_project_layer_output_near_miss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class NeighborFeatures(keras.layers.Layer):
            def call(self, inputs):
                neighbors = {k: v for k, v in inputs.items() if k.startswith("nbr_")}
                return inputs["x"], neighbors, inputs.get("weight")

        class GraphRegularization(keras.Model):
            def __init__(self, multiplier=0.1):
                super().__init__()
                self.nbr_features_layer = NeighborFeatures()
                self.dense = keras.layers.Dense(1)
                self.multiplier = multiplier

            def call(self, inputs, training=False):
                sample, nbr_features, nbr_weights = self.nbr_features_layer.call(inputs)
                out = self.dense(sample)
                has_nbr_inputs = nbr_weights is not None and nbr_features
                if has_nbr_inputs and self.multiplier > 0:
                    nbr_out = self.dense(nbr_features["nbr_x"])
                    self.add_loss(self.multiplier * tf.reduce_mean(nbr_weights * tf.square(out - nbr_out)))
                return out

        model = GraphRegularization()
        model.compile(optimizer="sgd", loss="mse")
        x = {"x": np.ones((4, 3), "float32"), "nbr_x": np.ones((4, 3), "float32"), "weight": np.ones((4, 1), "float32")}
        model.fit(x, np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
    case(
        "tfg003_part_of_builtin_layer_output",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Encoder(keras.Model):
            def __init__(self):
                super().__init__()
                self.lstm = keras.layers.LSTM(4, return_state=True)
                self.dense = keras.layers.Dense(1)

            def call(self, inputs):
                out, state_h, state_c = self.lstm(inputs)
                if state_h:  # <- TFG003
                    out = out * 2.0
                return self.dense(out)

        model = Encoder()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 2, 3), "float32"), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    """,
    ),
]


def test_keras_imported_from_a_project_module_is_not_taken_for_keras_3(tmp_path):
    """`from .modeling_utils import keras` (Hugging Face's TF models): that module binds `tf_keras` when it is
    installed (Keras 2, whose `call` AutoGraph converts) and `keras` otherwise, so which Keras the layer is stays
    unknown, and unknown stays silent. A Keras 3 base class the project module defines is still followed."""
    from gradls.analysis import analyze
    from gradls.analysis.project import ProjectIndex

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "utils.py").write_text("try:\n    import tf_keras as keras\nexcept ImportError:\n    import keras\n")
    (pkg / "base.py").write_text("import keras\n\n\nclass Base(keras.layers.Layer):\n    pass\n")
    body = "\n\n\nclass Enc({base}):\n    def call(self, x):\n        if tf.reduce_sum(x) > 0:\n            return x\n        return -x\n"
    (pkg / "via_alias.py").write_text(
        "import tensorflow as tf\nfrom .utils import keras" + body.format(base="keras.layers.Layer")
    )
    (pkg / "via_class.py").write_text("import tensorflow as tf\nfrom .base import Base" + body.format(base="Base"))
    index = ProjectIndex(tmp_path)
    lines = {}
    for name in ("via_alias.py", "via_class.py"):
        f = pkg / name
        lines[name] = [
            x.span.line for x in analyze(f.read_text(), str(f), project=index).findings if x.code == "TFG003"
        ]
    assert lines == {"via_alias.py": [], "via_class.py": [7]}


# Keras 3's train_step calls `self.compute_loss(x=..., y=..., y_pred=..., sample_weight=..., training=True)`: the
# `training` of an overriding `compute_loss` is a Python bool under `fit` (measured: trains), while a tensor it
# receives (`y`) is symbolic there.
CASES += [
    case(
        "tfg003_ok_training_flag_in_overridden_compute_loss",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(1)

            def call(self, x):
                return self.d(x)

            def compute_loss(self, x, y, y_pred, sample_weight, training):
                loss = tf.reduce_mean((y - y_pred) ** 2)
                if training:
                    loss = loss + 0.01 * tf.add_n([tf.reduce_sum(w**2) for w in self.trainable_weights])
                return loss

        net = Net()
        net.compile(optimizer="sgd")
        net.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
        """,
    ),
    case(
        "tfg003_tensor_test_in_overridden_compute_loss",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(1)

            def call(self, x):
                return self.d(x)

            def compute_loss(self, x, y, y_pred, sample_weight, training):
                loss = tf.reduce_mean((y - y_pred) ** 2)
                if tf.reduce_max(y) > 0.5:  # <- TFG003
                    loss = loss * 2.0
                return loss

        net = Net()
        net.compile(optimizer="sgd")
        net.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
        """,
    ),
]


# Under AutoGraph a tensor `if` becomes `tf.cond`, but a loop over Python values stays a Python loop: a `break` /
# `return` under that `if` cannot end it (measured under TF 2.21); over `tf.range` it is a `tf.while_loop` and works.
_LOOP_EXIT = """
import tensorflow as tf


@tf.function
def grow(x):
    {header}
        x = x + 1.0
        if tf.reduce_any(x > 3.0):{mark}
            {exit}
    return x


grow(tf.constant([0.0, 1.0]))
RESULT = ["ok"]
"""
CASES += [
    case(
        "tfg003_break_on_tensor_in_python_range_loop",
        "raises:NotImplementedError",
        _LOOP_EXIT.format(header="for _ in range(4):", mark="  # <- TFG003", exit="break"),
    ),
    case(
        "tfg003_return_on_tensor_in_python_list_loop",
        "raises:ValueError",
        _LOOP_EXIT.format(header="for _ in [1, 2, 3]:", mark="  # <- TFG003", exit="return x"),
    ),
    case(
        "tfg003_break_on_tensor_in_while_true",
        "raises:NotImplementedError",
        _LOOP_EXIT.format(header="while True:", mark="  # <- TFG003", exit="break"),
    ),
    case(
        "tfg003_ok_break_on_tensor_in_tf_range_loop",
        "ok",
        _LOOP_EXIT.format(header="for _ in tf.range(4):", mark="", exit="break"),
    ),
    case(
        "tfg003_ok_continue_on_tensor_in_python_range_loop",
        "ok",
        _LOOP_EXIT.format(header="for _ in range(4):", mark="", exit="continue"),
    ),
    case(
        "tfg003_ok_tf_function_method_called_from_keras_call",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Decoder(keras.Model):
            def __init__(self):
                super().__init__()
                self.d = keras.layers.Dense(2)

            @tf.function
            def decode(self, h):
                out = h
                if tf.reduce_sum(h) > 0:
                    out = h * 2.0
                return out

            def call(self, x):
                return self.decode(self.d(x))

        m = Decoder()
        m.compile(optimizer="sgd", loss="mse")
        m.fit(np.ones((4, 3), "float32"), np.ones((4, 2), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
        """,
    ),
]


# Issue 10 (engine): a comprehension over a list of layers holds their outputs; a Python `if` on one of them in a Keras
# `call` traced by `fit` raises. The list itself, and a comprehension over Python ints, keep Python's truth value.
CASES += [
    case(
        "tfg003_if_on_comprehension_of_layer_outputs",
        "raises:OperatorNotAllowedInGraphError",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.blocks = [keras.layers.Dense(4) for _ in range(2)]

            def call(self, x):
                outs = [blk(x) for blk in self.blocks]
                if outs[0][0, 0] > 0:  # <- TFG003
                    x = x * 2.0
                return tf.add_n(outs) + x

        model = Net()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 4), "float32"), np.ones((4, 4), "float32"), epochs=1, verbose=0)
        """,
    ),
    case(
        "tfg003_ok_if_on_list_of_layer_outputs_and_python_sizes",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        class Net(keras.Model):
            def __init__(self):
                super().__init__()
                self.blocks = [keras.layers.Dense(4) for _ in range(2)]
                self.sizes = [4, 4]

            def call(self, x):
                outs = [blk(x) for blk in self.blocks]
                halves = [n // 2 for n in self.sizes]
                if outs and halves[0] > 1:
                    x = x * 2.0
                return tf.add_n(outs) + x

        model = Net()
        model.compile(optimizer="sgd", loss="mse")
        model.fit(np.ones((4, 4), "float32"), np.ones((4, 4), "float32"), epochs=1, verbose=0)
        RESULT = ["ok"]
        """,
    ),
]
