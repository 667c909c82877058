# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/4914 (corrected: the argument of the square root is
# clipped to a small positive floor, so the zero coefficient gives a zero, not NaN, derivative)
import numpy as np
import tensorflow as tf

x = tf.Variable(np.array([2.0, 3.0, 5.0], dtype=np.float32))
c = tf.constant([1.0, 0.0, 4.0])
opt = tf.keras.optimizers.SGD(0.1)

with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.sqrt(tf.maximum(c * x, 1e-12)))
grads = tape.gradient(loss, [x])
RESULT = gradient_status(grads)
opt.apply_gradients(zip(grads, [x]))
