# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/12071 (corrected: an epsilon under the square root)
# The row norms of X taken as sqrt(sum of squares + eps): the zero row gets a zero gradient instead of NaN.
import numpy as np
import tensorflow as tf

X_ = np.array([[1.0], [0.0], [2.0], [3.0]], dtype=np.float32)
X = tf.Variable(X_)
with tf.GradientTape() as tape:
    Z = tf.sqrt(tf.reduce_sum(tf.square(X), axis=1) + 1e-12)
    loss = tf.reduce_sum(Z)
var_grad = tape.gradient(loss, X)
RESULT = ["ok" if not np.isnan(var_grad.numpy()).any() else "nan"]
