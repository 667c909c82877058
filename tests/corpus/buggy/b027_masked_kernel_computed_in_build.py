# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG027@25
# source: https://github.com/tensorflow/tensorflow/issues/47053
# "Weight becomes untrainable after multiplying with constant": a layer masks its kernel by multiplying it with a
# constant 0/1 matrix in build; the product is computed once, outside any tape, so call reads a constant and the
# kernel never gets a gradient.
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
        self.kernel = self.w * self.mask

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.b


mask = (np.random.RandomState(0).rand(4, 3) > 0.5).astype("float32")
model = keras.Sequential([keras.Input((4,)), MaskedDense(3, mask), keras.layers.Dense(1)])
x = np.random.RandomState(1).rand(8, 4).astype("float32")
y = np.random.RandomState(2).rand(8, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
