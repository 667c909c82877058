# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG036@20
# source: modelled on TF 1 code ported half-way to TF 2 (the classic linear-regression tutorial, session removed)
# The tf.compat.v1.train optimizer is kept and minimize() is given the eager loss tensor: TF 2.21 raises
# RuntimeError `loss` passed to Optimizer.compute_gradients should be a function when eager execution is enabled.
import numpy as np
import tensorflow as tf

# ported from a TF1 script: placeholders removed, session removed, optimizer kept
x_data = np.random.rand(100, 3).astype(np.float32)
y_data = x_data @ np.array([[0.1], [0.2], [0.3]], dtype=np.float32) + 0.3

W = tf.Variable(tf.random.uniform([3, 1], -1.0, 1.0))
b = tf.Variable(tf.zeros([1]))
optimizer = tf.compat.v1.train.GradientDescentOptimizer(0.5)

for step in range(201):
    y = tf.matmul(x_data, W) + b
    loss = tf.reduce_mean(tf.square(y - y_data))
    train = optimizer.minimize(loss)
    if step % 20 == 0:
        print(step, W.numpy().ravel(), b.numpy())
