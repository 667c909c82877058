"""Eager gradient losses, one tape per case; the test looks lines up by the `# CASE:` markers."""
import numpy as np
import tensorflow as tf
import keras


class NumpyTanh(keras.layers.Layer):
    def call(self, x):
        return np.tanh(x)  # the gradient of everything before this layer is lost


dense_in = keras.layers.Dense(4, name="dense_in")  # CASE: dense_in created
dense_out = keras.layers.Dense(1, name="dense_out")
layer_np = NumpyTanh()
x = tf.ones([2, 3])
with tf.GradientTape() as tape:
    y = dense_out(layer_np(dense_in(x)))
    loss = tf.reduce_sum(y)
weights = dense_in.trainable_variables + dense_out.trainable_variables
grads = tape.gradient(loss, weights)  # CASE: numpy layer gradient

w = tf.Variable([1.0, 2.0])  # CASE: w created
b = tf.Variable(0.5, name="bias")  # CASE: b created
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.stop_gradient(w) * 3.0 + b)
tape.gradient(loss, [w, b])  # CASE: stop_gradient gradient

logits = tf.Variable([[0.2, 0.8], [0.6, 0.4]])  # CASE: logits created
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.cast(tf.argmax(logits, axis=1), tf.float32))
tape.gradient(loss, logits)  # CASE: argmax gradient

c = tf.constant([1.0, 2.0])  # CASE: c created
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(c * c)
tape.gradient(loss, c)  # CASE: unwatched gradient

scale = tf.Variable([1.0, 1.0])  # CASE: scale created
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.math.log(tf.constant([0.0, 1.0]) * scale))
tape.gradient(loss, [scale])  # CASE: nan gradient

gate = tf.Variable([0.3, -0.2])  # CASE: gate created
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.sign(gate))
tape.gradient(loss, gate)  # CASE: sign gradient

healthy = tf.Variable([[1.0], [2.0]])  # CASE: healthy created
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.matmul(tf.ones([1, 2]), healthy) ** 2)
tape.gradient(loss, healthy)  # CASE: healthy gradient
xs = tf.Variable([1.0, 2.0, 3.0], name="xs")
with tf.GradientTape() as tape:
    ys = xs * xs
tape.jacobian(ys, xs)  # CASE: jacobian
print("all eager cases ran")

v = tf.Variable(2.0)


@tf.custom_gradient
def scaled(x):
    def grad_fn(dy):
        return dy * v

    return x * v, grad_fn


scaled(tf.constant(1.0))  # CASE: custom_gradient call
