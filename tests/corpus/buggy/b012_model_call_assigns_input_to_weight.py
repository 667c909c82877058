# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG012@15
# source: https://github.com/tensorflow/tensorflow/issues/54532
# "tape.gradient returns None when assign is used in a model": a model's call writes its input into its weight
# with assign and computes a log-posterior from the weight; the assign has no gradient, so d(log_post)/dx is None
# (Hamiltonian Monte Carlo then has nothing to follow).
import tensorflow as tf


class DummyModel(tf.keras.Model):
    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(), dtype=tf.float64, initializer="ones")

    def call(self, x):
        self.w.assign(x)
        return -0.5 * self.w**2


model = DummyModel()
x = tf.constant(2.0, dtype=tf.float64)
model(x)
with tf.GradientTape() as tape:
    tape.watch(x)
    log_post = model(x)
RESULT = gradient_status([tape.gradient(log_post, x)])
