# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A keras.losses.Loss subclass (binary focal loss) whose call returns on every path of an if/elif/else on the
# configured mode and raises on a bad one, plus a function loss that reaches y_pred through a helper.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class BinaryFocalLoss(keras.losses.Loss):
    def __init__(self, gamma=2.0, alpha=0.25, mode="focal", **kwargs):
        super().__init__(**kwargs)
        self.gamma, self.alpha, self.mode = gamma, alpha, mode

    def call(self, y_true, y_pred):
        y_true = tf.cast(y_true, y_pred.dtype)
        y_pred = tf.clip_by_value(y_pred, 1e-7, 1.0 - 1e-7)
        bce = -(y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))
        if self.mode == "bce":
            return bce
        elif self.mode == "focal":
            p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
            alpha_t = y_true * self.alpha + (1.0 - y_true) * (1.0 - self.alpha)
            return alpha_t * tf.pow(1.0 - p_t, self.gamma) * bce
        else:
            raise ValueError(f"unknown mode {self.mode!r}")


def _squared_error(a, b):
    return tf.square(a - b)


def calibration_penalty(y_true, y_pred):
    return 0.1 * tf.reduce_mean(_squared_error(tf.reduce_mean(y_true), y_pred))


x = np.random.randn(128, 10).astype("float32")
y = (np.random.rand(128, 1) < 0.1).astype("float32")
inputs = keras.Input((10,))
h = keras.layers.Dense(16, activation="relu")(inputs)
prob = keras.layers.Dense(1, activation="sigmoid", name="prob")(h)
prob_copy = keras.layers.Identity(name="calib")(prob)
model = keras.Model(inputs, [prob, prob_copy])
model.compile(optimizer="adam", loss=[BinaryFocalLoss(), calibration_penalty])
model.fit(x, [y, y], epochs=1, batch_size=32, verbose=0)

focal = BinaryFocalLoss()
with tf.GradientTape() as tape:
    p, p2 = model(x, training=True)
    loss = focal(y, p) + calibration_penalty(y, p2)
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
