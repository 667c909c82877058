"""TFG012 assign-in-tape: v.assign(f(W)) under a tape, v then read on the way to the loss: W gets None."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    case(
        "tfg012_hidden_state_assign",
        "none",
        """
        import tensorflow as tf

        W = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
        h = tf.Variable(tf.zeros((1, 2)))
        x = tf.constant([[1.0, 1.0]])
        with tf.GradientTape() as tape:
            h.assign(tf.matmul(x, W))  # <- TFG012
            loss = tf.reduce_sum(h * 2.0)
        RESULT = gradient_status(tape.gradient(loss, [W, h]))
    """,
    ),
    case(
        "tfg012_weight_norm",
        "none",
        """
        import tensorflow as tf

        v = tf.Variable(tf.ones((3, 2)))
        g = tf.Variable(tf.ones((2,)))
        w = tf.Variable(tf.zeros((3, 2)), trainable=False)
        x = tf.ones((4, 3))
        with tf.GradientTape() as tape:
            w.assign(g * v / tf.norm(v, axis=0))  # <- TFG012
            loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
        RESULT = gradient_status(tape.gradient(loss, [v, g]))
    """,
    ),
    case(
        "tfg012_running_center_from_encoder",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
        center = tf.Variable(tf.zeros((3,)), trainable=False)
        x = tf.random.normal((8, 4))
        with tf.GradientTape() as tape:
            feats = encoder(x, training=True)
            center.assign(0.9 * center + 0.1 * tf.reduce_mean(feats, axis=0))  # <- TFG012
            loss = tf.reduce_sum(tf.square(center))
        RESULT = gradient_status(tape.gradient(loss, encoder.trainable_variables))
    """,
    ),
    case(
        "tfg012_assign_add_in_tf_function",
        "none",
        """
        import tensorflow as tf

        scale = tf.Variable(2.0)
        acc = tf.Variable(0.0, trainable=False)

        @tf.function
        def step(x):
            with tf.GradientTape() as tape:
                acc.assign_add(scale * x)  # <- TFG012
                out = acc * 3.0
                loss = out ** 2
            return tape.gradient(loss, [scale])

        RESULT = gradient_status(step(tf.constant(1.5)))
    """,
    ),
    case(
        "tfg012_assign_sub_then_value",
        "none",
        """
        import tensorflow as tf

        W = tf.Variable(1.0)
        shadow = tf.Variable(5.0, trainable=False)
        with tf.GradientTape() as tape:
            shadow.assign_sub(0.5 * W)  # <- TFG012
            loss = shadow.value() * 2.0
        RESULT = gradient_status([tape.gradient(loss, W)])
    """,
    ),
    case(
        "tfg012_model_method_memory",
        "none",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Memorizer(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(3)
                self.memory = tf.Variable(tf.zeros((3,)), trainable=False)

            def call(self, x):
                return self.dense(x)

            def custom_step(self, x):
                with tf.GradientTape() as tape:
                    h = self.dense(x)
                    self.memory.assign(tf.reduce_mean(h, axis=0))  # <- TFG012
                    loss = tf.reduce_sum(self.memory ** 2)
                return tape.gradient(loss, self.trainable_variables)

        m = Memorizer()
        m(tf.ones((2, 4)))
        RESULT = gradient_status(m.custom_step(tf.ones((2, 4))))
    """,
    ),
    # ----- near misses
    case(
        "tfg012_ok_counter_and_ema",
        "ok",
        """
        import tensorflow as tf

        W = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
        ema = tf.Variable(tf.zeros((2, 2)), trainable=False)
        step = tf.Variable(0, trainable=False)
        x = tf.constant([[1.0, 1.0]])
        with tf.GradientTape() as tape:
            step.assign_add(1)
            ema.assign(0.99 * ema + 0.01 * W)
            loss = tf.reduce_sum(tf.matmul(x, W) ** 2)
        RESULT = gradient_status([tape.gradient(loss, W)])
    """,
    ),
    case(
        "tfg012_ok_optimizer_update_after_gradient",
        "ok",
        """
        import tensorflow as tf

        W = tf.Variable(2.0)
        for _ in range(3):
            with tf.GradientTape() as tape:
                loss = (W - 5.0) ** 2
            g = tape.gradient(loss, W)
            W.assign_sub(0.1 * g)
        RESULT = gradient_status([g])
    """,
    ),
    case(
        "tfg012_ok_batchnorm_fit_style",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                                  keras.layers.Dense(1)])
        x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x, training=True) - y) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    case(
        "tfg012_ok_assigned_state_not_on_path",
        "ok",
        """
        import tensorflow as tf

        W = tf.Variable([1.0, 2.0])
        last_out = tf.Variable(tf.zeros((2,)), trainable=False)
        with tf.GradientTape() as tape:
            out = W * 3.0
            last_out.assign(out)
            loss = tf.reduce_sum(out ** 2)
        RESULT = gradient_status([tape.gradient(loss, W)])
    """,
    ),
    case(
        "tfg012_ok_assign_from_data_then_used",
        "ok",
        """
        import tensorflow as tf

        W = tf.Variable(2.0)
        buf = tf.Variable(0.0, trainable=False)
        x = tf.constant(3.0)
        with tf.GradientTape() as tape:
            buf.assign(x * 2.0)
            loss = W * buf
        RESULT = gradient_status([tape.gradient(loss, W)])
    """,
    ),
    case(
        "tfg012_ok_model_memory_written_after_loss",
        "ok",
        """
        import tensorflow as tf
        from tensorflow import keras

        class Memorizer(keras.Model):
            def __init__(self):
                super().__init__()
                self.dense = keras.layers.Dense(3)
                self.memory = tf.Variable(tf.zeros((3,)), trainable=False)

            def call(self, x):
                return self.dense(x)

            def custom_step(self, x):
                with tf.GradientTape() as tape:
                    h = self.dense(x)
                    loss = tf.reduce_sum((h - self.memory) ** 2)
                    self.memory.assign(tf.reduce_mean(h, axis=0))
                return tape.gradient(loss, self.trainable_variables)

        m = Memorizer()
        m(tf.ones((2, 4)))
        RESULT = gradient_status(m.custom_step(tf.ones((2, 4))))
    """,
    ),
    case(
        "tfg012_ok_loss_uses_both_paths",
        "ok",
        """
        import tensorflow as tf

        W = tf.Variable(2.0)
        h = tf.Variable(0.0)
        with tf.GradientTape() as tape:
            pre = W * 3.0
            h.assign(pre)
            loss = pre + h
        RESULT = gradient_status(tape.gradient(loss, [W, h]))
    """,
    ),
    # A new tf.Variable made under the tape from a value computed from a weight: the copy cuts the path.
    case(
        "tfg012_variable_created_from_weight_under_tape",
        "none",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        with tf.GradientTape() as tape:
            h = tf.Variable(w * 3.0)  # <- TFG012
            loss = h * h
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    # A Keras layer's `call` that stores a value in its variable and returns what it reads back (tensorflow#54532,
    # keras-team/keras#16128): the sublayer or the input reaches the output only through the assignment.
    case(
        "tfg012_layer_call_returns_cached_projection",
        "none",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        keras.utils.set_random_seed(0)

        class Cached(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.proj = keras.layers.Dense(3)

            def build(self, input_shape):
                self.cache = self.add_weight(name="cache", shape=(3,), initializer="zeros", trainable=False)

            def call(self, x):
                self.cache.assign(tf.reduce_mean(self.proj(x), axis=0))  # <- TFG012
                return x[:, :3] + self.cache

        model = keras.Sequential([keras.Input((4,)), Cached()])
        x = np.random.RandomState(0).rand(8, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model(x)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg012_layer_call_returns_stored_input",
        "none",
        """
        import tensorflow as tf
        import keras

        class Store(keras.layers.Layer):
            def build(self, input_shape):
                self.slot = self.add_weight(name="slot", shape=(2,), initializer="zeros", trainable=False)

            def call(self, inputs, training=None):
                self.slot.assign(inputs * 3.0)  # <- TFG012
                return tf.reduce_sum(self.slot)

        layer = Store()
        x = tf.constant([1.0, 2.0])
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
        RESULT = gradient_status([tape.gradient(y, x)])
        """,
    ),
    # A copy of a model whose variables are overwritten in a loop under the tape, then run for the loss
    # (tensorflow#30234): the source model's weights reach the loss only through the assignments.
    case(
        "tfg012_loop_assign_into_copy_model",
        "none",
        """
        import tensorflow as tf
        import keras

        keras.utils.set_random_seed(0)
        net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        shadow = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            for s, t in zip(shadow.trainable_variables, net.trainable_variables):
                s.assign(0.5 * t)  # <- TFG012
            loss = tf.reduce_sum(tf.square(shadow(x)))
        RESULT = gradient_status(tape.gradient(loss, net.trainable_variables))
        """,
    ),
    # Near misses: `call` returns the new value itself (and stores it for later), or returns the input's own path;
    # a loop that rescales the model's own variables before running that model.
    case(
        "tfg012_layer_call_returns_new_value_and_stores_it",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        keras.utils.set_random_seed(0)

        class Cached(keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.proj = keras.layers.Dense(3)

            def build(self, input_shape):
                self.cache = self.add_weight(name="cache", shape=(3,), initializer="zeros", trainable=False)

            def call(self, x):
                new = tf.reduce_mean(self.proj(x), axis=0)
                self.cache.assign(new)
                return x[:, :3] + new

        model = keras.Sequential([keras.Input((4,)), Cached()])
        x = np.random.RandomState(0).rand(8, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model(x)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg012_layer_call_running_mean_beside_output",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        import keras

        keras.utils.set_random_seed(0)

        class Centered(keras.layers.Layer):
            def build(self, input_shape):
                self.scale = self.add_weight(name="scale", shape=(input_shape[-1],), initializer="ones")
                self.running = self.add_weight(
                    name="running", shape=(input_shape[-1],), initializer="zeros", trainable=False
                )

            def call(self, x):
                mean = tf.reduce_mean(x, axis=0)
                self.running.assign(0.9 * self.running + 0.1 * mean)
                return (x - mean) * self.scale + 0.0 * self.running

        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4), Centered()])
        x = np.random.RandomState(0).rand(8, 4).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(model(x)))
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
        """,
    ),
    case(
        "tfg012_loop_rescales_own_variables_then_runs_model",
        "ok",
        """
        import tensorflow as tf
        import keras

        keras.utils.set_random_seed(0)
        net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        x = tf.random.normal((4, 3))
        with tf.GradientTape() as tape:
            for v in net.trainable_variables:
                v.assign(v * 0.99)
            loss = tf.reduce_sum(tf.square(net(x)))
        RESULT = gradient_status(tape.gradient(loss, net.trainable_variables))
        """,
    ),
    # Near misses: the new variable's value comes from no weight, or the loss reads the weight itself.
    case(
        "tfg012_variable_created_from_constant_under_tape",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        with tf.GradientTape() as tape:
            h = tf.Variable(tf.zeros(()))
            loss = (h + w) * w
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
    case(
        "tfg012_variable_snapshot_not_on_the_loss_path",
        "ok",
        """
        import tensorflow as tf

        w = tf.Variable(2.0)
        with tf.GradientTape() as tape:
            snapshot = tf.Variable(w * 1.0, trainable=False)
            loss = w * w
        RESULT = gradient_status([tape.gradient(loss, w)])
        """,
    ),
]

# A hypernetwork writing the kernel it generates into a Keras layer with `layer.kernel.assign(w)`, the loss then
# running that layer (TF 2.21: None for the hypernetwork, `No gradients provided`); the generated kernel used as a
# tensor is the fix; gradients w.r.t. the target layer's own weights, or a loss that also reads `w`, stay quiet.
_HYPER = """
import numpy as np
import tensorflow as tf

hyper = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(3 * 2)])
target = tf.keras.layers.Dense(2, use_bias=False)
target.build((None, 3))
task = np.ones((1, 2), "float32")
x = np.ones((4, 3), "float32")
with tf.GradientTape() as tape:
    w = tf.reshape(hyper(task), (3, 2))
{body}
    loss = tf.reduce_mean(tf.square(pred)){extra}
grads = tape.gradient(loss, {wrt})
RESULT = gradient_status(grads)
"""
CASES += [
    case(
        "tfg012_hypernetwork_assigns_generated_kernel_to_layer",
        "none",
        _HYPER.format(
            body="    target.kernel.assign(w)  # <- TFG012\n    pred = target(x)",
            extra="",
            wrt="hyper.trainable_variables",
        ),
    ),
    case(
        "tfg012_hypernetwork_generated_kernel_used_as_tensor_fixed",
        "ok",
        _HYPER.format(body="    pred = tf.matmul(x, w)", extra="", wrt="hyper.trainable_variables"),
    ),
    case(
        "tfg012_ok_layer_kernel_assigned_gradient_for_the_layer",
        "ok",
        _HYPER.format(
            body="    target.kernel.assign(w)\n    pred = target(x)", extra="", wrt="target.trainable_variables"
        ),
    ),
    case(
        "tfg012_ok_layer_kernel_assigned_loss_also_reads_generated_kernel",
        "ok",
        _HYPER.format(
            body="    target.kernel.assign(w)\n    pred = target(x)",
            extra=" + 0.1 * tf.reduce_sum(tf.square(w))",
            wrt="hyper.trainable_variables",
        ),
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG012"}) == c.expected
