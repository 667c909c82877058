# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27684 (corrected)
# The log is taken of the guarded `safe_x` (the reporter's own fix): no NaN reaches the gradient.
import numpy as np
import tensorflow as tf

x = tf.convert_to_tensor(np.random.RandomState(0).randn(100).astype(np.float32))
alpha = tf.Variable(1, name="asdf", dtype=tf.float32, trainable=True)
with tf.GradientTape(persistent=True) as t:
    safe_x = tf.where(x > 0, x, tf.ones_like(x))
    s = tf.where(x >= 0, alpha * tf.math.log(safe_x), tf.zeros_like(x))
gradients = t.gradient(s, [alpha])
RESULT = gradient_status(gradients)
