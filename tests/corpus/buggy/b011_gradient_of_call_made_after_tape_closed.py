# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG011@16
# source: https://github.com/tensorflow/tensorflow/issues/27660
# The function's value is computed in the tape.gradient call itself, after the with-block has closed.
import tensorflow as tf


def f(x):
    return x**2


def grad(x):
    with tf.GradientTape() as t:
        t.watch(x)
        # out = f(x)
    return t.gradient(f(x), x)


x = tf.convert_to_tensor(9.0)
RESULT = gradient_status([grad(x)])
