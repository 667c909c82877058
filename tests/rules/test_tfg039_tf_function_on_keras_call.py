"""TFG039 tf-function-on-keras-call: `@tf.function` on a Keras 3 `call` whose sublayers build lazily."""

import pytest

from rules.casekit import case, check_verdict, findings_of

_NET = """
import numpy as np
import tensorflow as tf
from tensorflow import keras

class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = []
        for units in (8, 8):
            self.hidden.append(keras.layers.Dense(units, activation="relu"))
        self.out_layer = keras.layers.Dense(1)

    @tf.function  # <- TFG039
    def call(self, inputs):
        x = inputs
        for layer in self.hidden:
            x = layer(x)
        return self.out_layer(x)

x = np.random.rand(8, 3).astype("float32")
y = np.random.rand(8, 1).astype("float32")
"""

CASES = [
    # google-deepmind/open_spiel#1208 (held-out round H): Deep CFR's networks under Keras 3, trained by a
    # tf.function step that is the first to call them.
    case(
        "tfg039_decorated_call_first_run_in_tf_function_step",
        "raises:ValueError",
        _NET
        + """
model = Net()
opt = keras.optimizers.Adam(1e-3)

@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    return loss

train_step(x, y)
RESULT = ["ok"]
""",
    ),
    # fit() traces the step itself: the same `No gradients provided for any variable`.
    case(
        "tfg039_decorated_call_trained_with_fit",
        "raises:ValueError",
        _NET
        + """
model = Net()
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=1, verbose=0)
RESULT = ["ok"]
""",
    ),
    # An eager custom loop: every gradient None, at every step (not only the first).
    case(
        "tfg039_decorated_call_eager_tape_every_step_none",
        "none",
        _NET
        + """
model = Net()
statuses = []
for _ in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    statuses += ["none" if g is None else "ok" for g in grads]
RESULT = statuses
""",
    ),
    # Without the decorator Keras traces `call` itself: trains (the fix).
    case(
        "tfg039_fixed_no_decorator_trains",
        "ok",
        _NET.replace("    @tf.function  # <- TFG039\n", "")
        + """
model = Net()
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
""",
    ),
    # An explicit model.build() creates the weights before any trace: trains.
    case(
        "tfg039_ok_model_built_before_training",
        "ok",
        _NET.replace("  # <- TFG039", "")
        + """
model = Net()
model.build((None, 3))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
""",
    ),
    # Weights made by add_weight in build(): Keras runs build() before calling `call`, outside its trace.
    case(
        "tfg039_ok_layer_with_build_method",
        "ok",
        """
        import numpy as np
        import tensorflow as tf
        from tensorflow import keras

        class Proj(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2))

            @tf.function
            def call(self, x):
                return tf.matmul(x, self.w)

        layer = Proj()
        x = np.random.rand(4, 3).astype("float32")
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x))
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # Called once outside training (with other arguments than the training call): gradls cannot tell which trace
    # the training call reuses, and stays silent; this one trains.
    case(
        "tfg039_ok_called_before_training_stays_silent",
        "ok",
        _NET.replace("  # <- TFG039", "")
        + """
model = Net()
model(np.zeros((1, 3), "float32"))
opt = keras.optimizers.Adam(1e-3)

@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    return grads

RESULT = gradient_status(train_step(x, y))
""",
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG039"}) == c.expected
