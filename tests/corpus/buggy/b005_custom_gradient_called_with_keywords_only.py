# gradls-fixture: tf-verdict=raises:AssertionError
# gradls-expect: TFG005@22
# source: https://github.com/tensorflow/tensorflow/issues/65839
# A custom-gradient squared error whose grad scales the x gradient by 1000, called with keyword arguments only:
# TensorFlow silently uses its own gradient (the program asserts that the custom one was used).
import tensorflow as tf


@tf.custom_gradient
def bar(x, y):
    def grad(upstream):
        return 1000 * 2 * (x - y), -2 * (x - y)

    return tf.reduce_mean(tf.math.square(x - y), axis=0), grad


x = tf.constant([[4], [5], [6]], dtype=tf.float32)
y = tf.constant([[5], [7], [9]], dtype=tf.float32)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    tape.watch(y)
    z = bar(x=x, y=y)
gx = tape.gradient(z, x)
assert abs(float(gx[0, 0]) - 1000 * 2 * (4 - 5)) < 1e-3, f"custom gradient not used: {gx.numpy().ravel()}"
RESULT = gradient_status([gx])
