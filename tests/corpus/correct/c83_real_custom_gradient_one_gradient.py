# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/26048 (one gradient per input)
# The grad function returns exactly one gradient for the one input.
import tensorflow as tf


@tf.custom_gradient
def identity(x):
    def grad(dy):
        return dy
    return x, grad


x = tf.Variable(1.0)
with tf.GradientTape() as t:
    y = identity(x)
RESULT = gradient_status(t.gradient(y, [x]))
