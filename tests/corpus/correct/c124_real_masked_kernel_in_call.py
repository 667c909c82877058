# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/47053 (corrected)
# The mask is applied to the kernel in call, under the tape, so the kernel gets a gradient (zero where masked).
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class MaskedDense(keras.layers.Layer):
    def __init__(self, units, mask, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.mask = tf.constant(mask, dtype=tf.float32)

    def build(self, input_shape):
        self.w = self.add_weight(
            name="kernel", shape=(input_shape[-1], self.units), initializer="glorot_uniform", trainable=True
        )
        self.b = self.add_weight(name="bias", shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        kernel = self.w * self.mask
        return tf.matmul(inputs, kernel) + self.b


mask = np.ones((4, 3), dtype="float32")
mask[0, 0] = 0.0
model = keras.Sequential([keras.Input((4,)), MaskedDense(3, mask), keras.layers.Dense(1)])
x = np.random.RandomState(1).rand(8, 4).astype("float32")
y = np.random.RandomState(2).rand(8, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
