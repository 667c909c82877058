# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Temperature scaling of a classifier's logits inside a tf.py_function, with the learnable temperature passed
# in `inp` and clamped with TensorFlow ops: TensorFlow differentiates the function with respect to it.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class TemperatureScaling(keras.layers.Layer):
    def build(self, input_shape):
        self.temperature = self.add_weight(name="temperature", shape=(), initializer="ones")

    def call(self, logits):
        def scale(t, temp):
            return t / tf.clip_by_value(temp, 0.05, 10.0)

        out = tf.py_function(scale, [logits, self.temperature], tf.float32)
        out.set_shape(logits.shape)
        return out


head = keras.layers.Dense(3)
calibrate = TemperatureScaling()
x = tf.random.normal((16, 4))
y = tf.constant(np.arange(16) % 3)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
with tf.GradientTape() as tape:
    loss = loss_fn(y, calibrate(head(x)))
RESULT = gradient_status(tape.gradient(loss, [calibrate.temperature]))
