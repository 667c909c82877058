# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27660 (corrected: out = f(x) inside the with-block)
import tensorflow as tf


def f(x):
    return x**2


def grad(x):
    with tf.GradientTape() as t:
        t.watch(x)
        out = f(x)
    return t.gradient(out, x)


x = tf.convert_to_tensor(9.0)
RESULT = gradient_status([grad(x)])
