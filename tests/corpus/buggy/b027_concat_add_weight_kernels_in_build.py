# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG027@22
# source: https://github.com/tensorflow/tensorflow/issues/40632
# "Concatenating weights in Keras custom layer using add_weight fails while computing gradients": the kernel is
# tf.concat of two add_weight matrices, formed once in build(); call() multiplies by that constant snapshot.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class ConcatDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        w_a = self.add_weight(name="w_a", shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        w_b = self.add_weight(name="w_b", shape=(input_shape[-1], self.units), initializer="glorot_uniform")
        self.b = self.add_weight(name="b", shape=(2 * self.units,), initializer="zeros", trainable=False)
        self.kernel = tf.concat([w_a, w_b], axis=-1)

    def call(self, inputs):
        return tf.matmul(inputs, self.kernel) + self.b


model = keras.Sequential([keras.Input((4,)), ConcatDense(3)])
model.compile(optimizer="adam", loss="mse")
x = np.random.RandomState(0).rand(16, 4).astype("float32")
y = np.random.RandomState(1).rand(16, 6).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
RESULT = ["ok"]
