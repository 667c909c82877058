# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG001@14
# Eager linear regression with np.dot: the bias still learns, the weights silently get None.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((3, 1)), name="w")
b = tf.Variable(0.5, name="b")
x = np.random.randn(16, 3).astype(np.float32)
y = np.random.randn(16, 1).astype(np.float32)

with tf.GradientTape() as tape:
    pred = np.dot(x, w) + b  # BUG
    loss = tf.reduce_mean(tf.square(pred - y))
grads = tape.gradient(loss, [w, b])
RESULT = gradient_status(grads)
