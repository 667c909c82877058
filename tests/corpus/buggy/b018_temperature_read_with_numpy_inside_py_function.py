# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG018@23
# Temperature scaling of a classifier's logits, clamped with NumPy inside a tf.py_function: the learnable
# temperature is read from `self` (`.numpy()`), not passed in `inp`, so TensorFlow records nothing for it and its
# gradient is None (the Dense before it still trains: the logits go in as the input).
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class TemperatureScaling(keras.layers.Layer):
    def build(self, input_shape):
        self.temperature = self.add_weight(name="temperature", shape=(), initializer="ones")

    def call(self, logits):
        def scale(t):
            # A Python float in [0.05, 10]: keeps the division away from zero.
            temp = np.clip(self.temperature.numpy(), 0.05, 10.0)
            return t / temp

        out = tf.py_function(scale, [logits], tf.float32)
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
