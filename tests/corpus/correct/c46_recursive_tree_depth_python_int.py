# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A recursive binary-tree aggregation inside a @tf.function training step. The recursion depth is a Python int,
# so tracing unrolls it (one graph per depth); only the data are tensors. Gradients reach every weight.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
leaf = tf.Variable(tf.random.normal((4, 4)), name="leaf")
merge = tf.Variable(tf.random.normal((8, 4)) * 0.1, name="merge")
opt = tf.keras.optimizers.Adam(1e-3)


def encode(x, depth):
    if depth == 0:
        return tf.tanh(tf.matmul(x, leaf))
    left = encode(x[:, : x.shape[1] // 2], depth - 1)
    right = encode(x[:, x.shape[1] // 2 :], depth - 1)
    return tf.tanh(tf.matmul(tf.concat([left, right], axis=1), merge))


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        h = encode(x, 2)
        loss = tf.reduce_mean(tf.square(tf.reduce_sum(h, axis=1, keepdims=True) - y))
    grads = tape.gradient(loss, [leaf, merge])
    opt.apply_gradients(zip(grads, [leaf, merge]))
    return grads


x = tf.constant(np.random.rand(8, 16).astype("float32"))
y = tf.constant(np.random.rand(8, 1).astype("float32"))
for _ in range(2):
    grads = train_step(x, y)
RESULT = gradient_status(grads)
