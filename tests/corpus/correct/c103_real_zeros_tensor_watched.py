# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/fchollet/deep-learning-with-python-notebooks/pull/284 (corrected, as the PR does)
# The tensor is watched explicitly: the gradient of y is 2 everywhere.
import tensorflow as tf

x = tf.zeros(shape=(2, 2))
with tf.GradientTape() as tape:
    tape.watch(x)
    y = 2 * x + 3
grad_of_y_wrt_x = tape.gradient(y, x)
RESULT = gradient_status([grad_of_y_wrt_x])
