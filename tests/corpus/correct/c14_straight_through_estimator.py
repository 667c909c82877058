# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Straight-through estimator for weight binarisation: x + stop_gradient(round(x) - x) keeps the gradient.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def ste_round(x):
    return x + tf.stop_gradient(tf.round(x) - x)


def ste_sign(x):
    return x + tf.stop_gradient(tf.sign(x) - x)


class BinaryDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform")

    def call(self, inputs):
        return tf.matmul(inputs, ste_sign(self.kernel))


model = keras.Sequential([keras.Input((5,)), BinaryDense(6), keras.layers.Dense(1)])
x = tf.random.normal((8, 5))
y = tf.random.normal((8, 1))
with tf.GradientTape() as tape:
    q = ste_round(model(x) * 4.0) / 4.0
    loss = tf.reduce_mean(tf.square(q - y))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
