# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG006@20
# stop_gradient on a layer's own trainable kernel inside call(): that weight never gets a gradient.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class NormedDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros")

    def call(self, inputs):
        kernel = tf.stop_gradient(self.kernel)  # BUG
        kernel = kernel / tf.norm(kernel, axis=0, keepdims=True)
        return tf.matmul(inputs, kernel) + self.bias


layer = NormedDense(4)
x = tf.random.normal((8, 3))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(layer(x) - 1.0))
RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
