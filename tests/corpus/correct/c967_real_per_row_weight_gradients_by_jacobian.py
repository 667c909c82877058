# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/7643 (corrected: per-row gradients with a persistent
# GradientTape's jacobian instead of tf.gradients)
import numpy as np
import tensorflow as tf

W = tf.Variable(tf.random.normal((5, 3)), name="W")
x = tf.constant(np.random.rand(4, 5), tf.float32)
with tf.GradientTape() as tape:
    h = tf.matmul(x, W)
    row_sums = tf.reduce_sum(h, axis=1)
grads = tape.jacobian(row_sums, W)
RESULT = gradient_status([grads])
