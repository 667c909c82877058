# gradls-fixture: tf-verdict=raises:InvalidArgumentError
# gradls-expect: TFG018@42
# source: https://github.com/tensorflow/tensorflow/issues/40717
# A quantization layer computes a DCT and its inverse in NumPy through two tf.py_functions (the report used SciPy's
# dct; the same orthonormal type-II DCT is written here in NumPy). Only the second one breaks the gradient: it
# carries the trainable quantization step `w` to the output, and the backward pass through it fails (TF 2.21:
# InvalidArgumentError in a Reshape of the gradient). The first one transforms the layer's input, which has
# nothing trainable before it where the layer is applied (the data): with only that one left, `w` trains.
import numpy as np
import tensorflow as tf


def dct_np(x):
    n = x.shape[-1]
    k = np.arange(n)
    basis = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2.0 / n)
    basis[0] /= np.sqrt(2.0)
    return (x @ basis.T).astype(np.float32)


def idct_np(x):
    n = x.shape[-1]
    k = np.arange(n)
    basis = np.cos(np.pi * (2 * k[None, :] + 1) * k[:, None] / (2 * n)) * np.sqrt(2.0 / n)
    basis[0] /= np.sqrt(2.0)
    return (x @ basis).astype(np.float32)


class MyDenseLayer(tf.keras.layers.Layer):
    def __init__(self, y_mat):
        super().__init__()
        self.w_mat = y_mat

    def build(self, input_shape):
        self.w = self.add_weight(shape=(10,), initializer=tf.constant_initializer(self.w_mat), trainable=True)

    def call(self, input):
        dct_i = tf.py_function(lambda t: dct_np(t.numpy()), [input], tf.float32)
        dcts_q = tf.multiply(dct_i, 1 / self.w)
        z = dcts_q - (tf.stop_gradient(dcts_q) - tf.floor(dcts_q))
        deq = z * self.w
        return tf.py_function(lambda t: idct_np(t.numpy()), [deq], tf.float32)


layer = MyDenseLayer(np.full((10,), 0.5, np.float32))
x = tf.constant(np.random.rand(4, 10).astype("float32"))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(layer(x) - x))
RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
