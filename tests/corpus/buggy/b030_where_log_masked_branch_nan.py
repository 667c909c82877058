# gradls-fixture: tf-verdict=nan-gradient
# gradls-expect: TFG030@14
# source: https://github.com/tensorflow/tensorflow/issues/27684
# "nan appearing on False fork of tf.where propagates": tf.where picks alpha * log(x) only where x >= 0, but the
# log is computed for every element; its gradient at the negative ones is NaN and tf.where's gradient multiplies
# it by zero, which stays NaN: alpha's gradient is NaN.
import numpy as np
import tensorflow as tf

x = tf.convert_to_tensor(np.random.RandomState(0).randn(100).astype(np.float32))
alpha = tf.Variable(1, name="asdf", dtype=tf.float32, trainable=True)
with tf.GradientTape(persistent=True) as t:
    safe_x = tf.where(x > 0, x, tf.ones_like(x))
    s = tf.where(x >= 0, alpha * tf.math.log(x), tf.zeros_like(x))
gradients = t.gradient(s, [alpha])
RESULT = gradient_status(gradients)
