# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on Keras 3 custom-layer usage (a noise layer with a training flag)
# `if training:` tests the Python flag Keras passes, not a tensor: fit traces it fine and the kernel trains.
import numpy as np
import tensorflow as tf
from tensorflow import keras


class NoisyDense(keras.layers.Layer):
    def __init__(self, units, stddev=0.1, **kwargs):
        super().__init__(**kwargs)
        self.units, self.stddev = units, stddev

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, x, training=None):
        y = tf.matmul(x, self.kernel) + self.bias
        if training:
            y = y + tf.random.normal(tf.shape(y), stddev=self.stddev)
        return y

    def get_config(self):
        return {**super().get_config(), "units": self.units, "stddev": self.stddev}


model = keras.Sequential([keras.Input((6,)), NoisyDense(16), keras.layers.ReLU(), NoisyDense(1)])
model.compile("adam", "mse")
x = np.random.randn(128, 6).astype("float32")
y = np.random.randn(128, 1).astype("float32")
w0 = model.layers[0].kernel.numpy().copy()
model.fit(x, y, epochs=2, verbose=0)
RESULT = gradient_status([tf.constant(model.layers[0].kernel.numpy() - w0)])
