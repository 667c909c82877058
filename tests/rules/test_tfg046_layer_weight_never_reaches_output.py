"""TFG046 layer-weight-never-reaches-output: a trainable weight of a Keras layer that `call`'s output never depends
on gets a None gradient and never trains."""

import pytest

from rules.casekit import case, check_verdict, findings_of

CASES = [
    # The bias is created and forgotten: under `fit` Keras warns "Gradients do not exist for variables".
    case(
        "tfg046_bias_created_never_read",
        "none",
        """
        import keras
        import tensorflow as tf

        class Affine(keras.layers.Layer):
            def __init__(self, units, **kw):
                super().__init__(**kw)
                self.units = units

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
                self.b = self.add_weight(shape=(self.units,), initializer="zeros")  # <- TFG046

            def call(self, x):
                return tf.matmul(x, self.w)

        model = keras.Sequential([keras.Input((3,)), Affine(2), keras.layers.Dense(1)])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # The gate is computed and dropped: `call` returns its input.
    case(
        "tfg046_gated_value_computed_input_returned",
        "none",
        """
        import keras
        import tensorflow as tf

        class Gate(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")  # <- TFG046

            def call(self, x):
                gate = tf.sigmoid(self.w)
                gated = x * gate
                return x

        model = keras.Sequential([keras.Input((3,)), Gate(), keras.layers.Dense(1)])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
    # Near-misses: a weight read by a helper method `call` uses, one added as a loss, a non-trainable counter, a
    # weight in a value `call` returns through a branch.
    case(
        "tfg046_ok_weights_read_by_helper_loss_branch",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Block(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")
                self.scale = self.add_weight(shape=(), initializer="ones")
                self.reg = self.add_weight(shape=(2,), initializer="ones")
                self.count = self.add_weight(shape=(), initializer="zeros", trainable=False)

            def _project(self, x):
                return tf.matmul(x, self.w)

            def call(self, x, training=False):
                y = self._project(x)
                self.add_loss(1e-3 * tf.reduce_sum(tf.square(self.reg)))
                if training:
                    out = y * self.scale + self.reg
                else:
                    out = y * self.scale + self.reg
                return out

        layer = Block()
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(layer(tf.ones((4, 3)), training=True)) + tf.add_n(layer.losses)
        RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
    """,
    ),
    # Fixed: the bias is used.
    case(
        "tfg046_fixed_bias_added",
        "ok",
        """
        import keras
        import tensorflow as tf

        class Affine(keras.layers.Layer):
            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="glorot_uniform")
                self.b = self.add_weight(shape=(2,), initializer="zeros")

            def call(self, x):
                return tf.matmul(x, self.w) + self.b

        model = keras.Sequential([keras.Input((3,)), Affine(), keras.layers.Dense(1)])
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(model(tf.ones((4, 3))) ** 2)
        RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
    """,
    ),
]


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_tensorflow_verdict(c, tf_verdicts):
    check_verdict(c, tf_verdicts[c.name])


@pytest.mark.parametrize("c", CASES, ids=lambda c: c.name)
def test_gradls_reports_exactly_the_marked_lines(c):
    assert findings_of(c.source, {"TFG046"}) == c.expected
