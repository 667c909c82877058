# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/haidark/WaveletDeconv/issues/1 (corrected: the widths made by self.add_weight)
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class WaveletDeconvolution(keras.layers.Layer):
    def __init__(self, nb_widths, filter_length=21, **kwargs):
        super().__init__(**kwargs)
        self.nb_widths = nb_widths
        self.filter_length = filter_length

    def build(self, input_shape):
        widths = 2.0 ** np.arange(self.nb_widths).astype("float32")
        self.W = self.add_weight(
            name="widths", shape=(self.nb_widths,), initializer=keras.initializers.Constant(widths)
        )

    def call(self, x):
        t = np.arange(self.filter_length, dtype="float32") - (self.filter_length - 1) / 2.0
        w = tf.reshape(self.W, (1, -1))
        t2 = tf.reshape(t * t, (-1, 1))
        a = 2.0 / (tf.sqrt(3.0 * w) * np.pi**0.25)
        kernel = a * (1.0 - t2 / (w * w)) * tf.exp(-t2 / (2.0 * w * w))
        return tf.nn.conv1d(x, tf.expand_dims(kernel, 1), stride=1, padding="SAME")


layer = WaveletDeconvolution(4)
model = keras.Sequential([keras.Input((64, 1)), layer, keras.layers.Flatten(), keras.layers.Dense(1)])
x = np.random.randn(16, 64, 1).astype("float32")
y = np.random.randn(16, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
grads = tape.gradient(loss, [layer.W])
RESULT = gradient_status(grads)
