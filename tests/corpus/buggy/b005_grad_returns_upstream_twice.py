# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG005@12
# source: https://github.com/tensorflow/tensorflow/issues/26048
# "silent failures with incorrect usage of tf.custom_gradient": the grad function of a one-input function
# returns two gradients.
import tensorflow as tf


@tf.custom_gradient
def identity(x):
    def grad(dy):
        return dy, dy  # This return value is wrong!
    return x, grad


x = tf.Variable(1.0)
with tf.GradientTape() as t:
    y = identity(x)
RESULT = gradient_status(t.gradient(y, [x]))
