# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/layog/Accurate-Binary-Convolution-Network/issues/6 (corrected)
# The sign gets an identity gradient (the straight-through estimator the thread suggests, written as
# @tf.custom_gradient in TF2): the filters, the shifts and beta all learn.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


@tf.custom_gradient
def sign_ste(x):
    def grad(dy):
        return dy

    return tf.sign(x), grad


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
        binarized_filters = sign_ste(tiled_filters + expanded_stddev)
        kernel = tf.reduce_sum(binarized_filters * self.beta_values, axis=-1)
        return tf.matmul(x, kernel)


layer = ABCDense(4)
x = np.random.RandomState(0).rand(8, 5).astype("float32")
y = np.random.RandomState(1).rand(8, 4).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(layer(x) - y))
RESULT = gradient_status(tape.gradient(loss, [layer.filters, layer.shift_parameters, layer.beta_values]))
