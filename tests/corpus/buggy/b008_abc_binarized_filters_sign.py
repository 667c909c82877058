# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG008@32
# source: https://github.com/layog/Accurate-Binary-Convolution-Network/issues/6
# "No weight update due to sign function": ABC-Net binarizes its filters as tf.sign(filters - mean + shift *
# stddev) and mixes the binary bases with beta; tf.sign's gradient is zero, so the filters and the shift
# parameters never learn (only beta does).
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class ABCDense(keras.layers.Layer):
    def __init__(self, units, num_bases=3, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.num_bases = num_bases

    def build(self, input_shape):
        self.filters = self.add_weight(name="filters", shape=(input_shape[-1], self.units))
        self.shift_parameters = self.add_weight(
            name="shift_parameters", shape=(self.num_bases,), initializer=keras.initializers.Constant([-1.0, 0.0, 1.0])
        )
        self.beta_values = self.add_weight(name="beta_values", shape=(self.num_bases,), initializer="ones")

    def call(self, x):
        mean, variance = tf.nn.moments(self.filters, axes=[0, 1])
        stddev = tf.sqrt(variance)
        tiled_filters = tf.tile(tf.expand_dims(self.filters - mean, -1), [1, 1, self.num_bases])
        expanded_stddev = self.shift_parameters * stddev
        binarized_filters = tf.sign(tiled_filters + expanded_stddev, name="binarized_filters")
        kernel = tf.reduce_sum(binarized_filters * self.beta_values, axis=-1)
        return tf.matmul(x, kernel)


layer = ABCDense(4)
x = np.random.RandomState(0).rand(8, 5).astype("float32")
y = np.random.RandomState(1).rand(8, 4).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(layer(x) - y))
RESULT = gradient_status(tape.gradient(loss, [layer.filters, layer.shift_parameters, layer.beta_values]))
