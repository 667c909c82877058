# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG036@13
# Per-example gradients with tf.gradients in a def handed by name to tf.map_fn, run at module level (eagerly).
import numpy as np
import tensorflow as tf

w = tf.Variable(tf.random.normal((3, 1)))
xs = tf.constant(np.random.rand(5, 4, 3).astype("float32"))


def per_example_grad(x):
    y = tf.reduce_sum(tf.matmul(x, w))
    return tf.gradients(y, w)[0]


grads = tf.map_fn(per_example_grad, xs)
RESULT = gradient_status([grads])
