# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/26812 (the variable created once, outside)
# The variable lives outside the traced function; the function reads it and its gradient exists.
import tensorflow as tf

b = tf.Variable(12.)


@tf.function
def f():
    a = tf.constant([[10, 10], [11., 1.]])
    x = tf.constant([[1., 0.], [0., 1.]])
    y = tf.matmul(a, x) + b
    return y


with tf.GradientTape() as tape:
    y = f()
RESULT = gradient_status([tape.gradient(y, b)])
