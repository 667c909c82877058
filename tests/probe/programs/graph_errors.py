"""Errors TensorFlow raises on the way to a gradient, inside @tf.function and eagerly."""
import tensorflow as tf
import keras

w = tf.Variable([1.0, -1.0], name="w")


@tf.function
def step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * x)
    g = tape.gradient(loss, w)  # CASE: traced gradient
    return g


step(tf.constant([1.0, 2.0]))
step(tf.constant([3.0, 4.0]))

with tf.GradientTape() as tape:
    loss = tf.reduce_sum(w * w)
tape.gradient(loss, w)
try:
    tape.gradient(loss, w)  # CASE: tape reuse
except RuntimeError:
    print("tape reuse caught by the program")

opt = keras.optimizers.SGD(0.1)
kv = keras.Variable([0.5, 0.5], name="kv")  # CASE: kv created
with tf.GradientTape() as tape:
    loss = tf.cast(tf.argmax(kv), tf.float32)
grads = tape.gradient(loss, [kv])  # CASE: argmax gradient
try:
    opt.apply_gradients(zip(grads, [kv]))  # CASE: no gradients provided
except ValueError:
    print("optimizer error caught by the program")


@tf.function
def make_variable(x):
    v = tf.Variable(x)  # CASE: variable in tf.function
    return v * 2.0


make_variable(tf.constant(1.0))
