# gradls-fixture: tf-verdict=raises:StagingError
# gradls-expect: TFG025@20
# A polynomial feature layer that raises its input to a integer power by recursive squaring, inside a
# @tf.function training step. The exponent arrives as a tensor, so AutoGraph turns the `if` into tf.cond, traces
# both branches, and the recursion never ends: StagingError wrapping RecursionError on the first step.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((3, 1)), name="w")
b = tf.Variable(0.0, name="b")
opt = tf.keras.optimizers.SGD(0.01)


@tf.function
def power(x, n):
    if n == 0:
        return tf.ones_like(x)
    if n % 2 == 0:
        half = power(x, n // 2)
        return half * half
    return x * power(x, n - 1)  # the same mistake again: gradls reports the first recursive call only


@tf.function
def train_step(x, y, degree):
    with tf.GradientTape() as tape:
        features = power(x, degree)
        pred = tf.matmul(features, w) + b
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, [w, b])
    opt.apply_gradients(zip(grads, [w, b]))
    return grads


x = tf.constant(np.random.rand(16, 3).astype("float32"))
y = tf.constant(np.random.rand(16, 1).astype("float32"))
grads = train_step(x, y, tf.constant(3))
RESULT = gradient_status(grads)
