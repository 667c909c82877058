# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/54532 (corrected)
# The weight is set before the tape with assign, and the log-posterior is computed from the input itself, so the
# gradient with respect to x (and to the weight, which scales it) is there.
import tensorflow as tf


class DummyModel(tf.keras.Model):
    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(), initializer="ones")

    def call(self, x):
        return -0.5 * self.w * x**2


model = DummyModel()
x = tf.constant(2.0)
model(x)
model.w.assign(1.5)
with tf.GradientTape() as tape:
    tape.watch(x)
    log_post = model(x)
RESULT = gradient_status(tape.gradient(log_post, [x, model.w]))
