# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/40632 (corrected)
# The weights are kept in build() and concatenated in call(), so every step reads them: both train.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class ConcatDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w_a = self.add_weight(name="w_a", shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.w_b = self.add_weight(name="w_b", shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.b = self.add_weight(name="b", shape=(2 * self.units,), initializer="zeros", trainable=False)

    def call(self, inputs):
        kernel = tf.concat([self.w_a, self.w_b], axis=-1)
        return tf.matmul(inputs, kernel) + self.b


model = keras.Sequential([keras.Input((4,)), ConcatDense(3)])
x = np.random.RandomState(0).rand(16, 4).astype("float32")
y = np.random.RandomState(1).rand(16, 6).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
