# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/probability/issues/614 (corrected, as the reporter did: the mapped function
# runs f under its own GradientTape and returns the tape's gradient)
import tensorflow as tf

x = tf.Variable(1.0)
z = tf.ones(300)


def f(x, a):
    return x * x * a


def dfda(x, a):
    with tf.GradientTape() as g:
        y = f(x, a)
    return g.gradient(y, [x])


grads = tf.vectorized_map(lambda b: dfda(x, b), z)
RESULT = gradient_status(grads)
