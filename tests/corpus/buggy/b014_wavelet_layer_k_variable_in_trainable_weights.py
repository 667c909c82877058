# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG014@22
# source: https://github.com/haidark/WaveletDeconv/issues/1
# Wavelet deconvolution layer with learnable widths: build() makes the widths with K.variable and registers
# them the Keras 1 way, self.trainable_weights = [self.W]; Keras 3 has no setter for that property.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import backend as K

keras.utils.set_random_seed(0)


class WaveletDeconvolution(keras.layers.Layer):
    def __init__(self, nb_widths, filter_length=21, **kwargs):
        super().__init__(**kwargs)
        self.nb_widths = nb_widths
        self.filter_length = filter_length

    def build(self, input_shape):
        self.W = K.variable(2.0 ** np.arange(self.nb_widths).astype("float32"), name="widths")
        self.trainable_weights = [self.W]

    def call(self, x):
        t = np.arange(self.filter_length, dtype="float32") - (self.filter_length - 1) / 2.0
        w = tf.reshape(self.W, (1, -1))
        t2 = tf.reshape(t * t, (-1, 1))
        a = 2.0 / (tf.sqrt(3.0 * w) * np.pi**0.25)
        kernel = a * (1.0 - t2 / (w * w)) * tf.exp(-t2 / (2.0 * w * w))  # (length, widths) Ricker wavelets
        return tf.nn.conv1d(x, tf.expand_dims(kernel, 1), stride=1, padding="SAME")


model = keras.Sequential([keras.Input((64, 1)), WaveletDeconvolution(4), keras.layers.Flatten(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
x = np.random.randn(16, 64, 1).astype("float32")
y = np.random.randn(16, 1).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
RESULT = gradient_status([model.trainable_variables[0]])
