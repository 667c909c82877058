# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/34503 (corrected)
# The workaround from the thread: the first-order gradient is a custom-gradient function of (x, dy), so the
# outer tape sees x in it and the second-order gradient flows.
import tensorflow as tf


@tf.custom_gradient
def grad(x, dy):
    def grad2(ddx):
        return ddx * 2.0 * dy, ddx * 2.0 * x

    return dy * 2.0 * x, grad2


@tf.custom_gradient
def op(x):
    return x * x, lambda dy: grad(x, dy)


x = tf.constant([1.5])
with tf.GradientTape() as tape:
    tape.watch(x)
    with tf.GradientTape() as tape2:
        tape2.watch(x)
        y = op(x)
    dydx = tape2.gradient(y, x)
d2ydx2 = tape.gradient(dydx, x)
RESULT = gradient_status([dydx, d2ydx2])
