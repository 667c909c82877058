# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/77559 (corrected: both tensors passed positionally)
import tensorflow as tf


@tf.custom_gradient
def func(x, y=0):
    z = 2 * x + y

    def grad(dz):
        dx = 2 * dz
        dy = dz
        return dx, dy

    return z, grad


x = tf.constant(2.0)
y = tf.constant(3.0)
with tf.GradientTape() as tape:
    tape.watch([x, y])
    z = func(x, y)
grads = tape.gradient(z, [x, y])
RESULT = gradient_status(grads)
