# gradls-fixture: tf-verdict=nan-gradient
# gradls-expect: TFG040@13
# source: https://github.com/tensorflow/tensorflow/issues/12071
# "Numerical instability of gradient calculation of tf.norm (nan at 0, inf for small values)": the rows of X are
# normed over axis 1 and one row is all zeros; tf.norm's gradient there is 0/0 = NaN (1e-19 gives inf). The TF 1
# tf.gradients of the report is written with a tape over a variable.
import numpy as np
import tensorflow as tf

X_ = np.array([[1.0], [0.0], [1e-16], [1e-19]], dtype=np.float32)
X = tf.Variable(X_)
with tf.GradientTape() as tape:
    Z = tf.norm(X, ord="euclidean", axis=1)
    loss = tf.reduce_sum(Z)
var_grad = tape.gradient(loss, X)
RESULT = gradient_status([var_grad])
