# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Per-example gradients in a def handed by name to tf.map_fn, taken with a GradientTape: works eagerly.
import numpy as np
import tensorflow as tf

w = tf.Variable(tf.random.normal((3, 1)))
xs = tf.constant(np.random.rand(5, 4, 3).astype("float32"))


def per_example_grad(x):
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.matmul(x, w))
    return tape.gradient(y, w)


grads = tf.map_fn(per_example_grad, xs)
RESULT = gradient_status([grads])
