# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG005@15
# source: https://github.com/tensorflow/tensorflow/issues/77559
# A custom-gradient function of two tensors, the second passed by keyword; both gradients are asked for.
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
    z = func(x, y=y)
grads = tape.gradient(z, [x, y])
RESULT = gradient_status(grads)
