# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/65839 (corrected: positional arguments, so the custom
# gradient is the one TensorFlow uses)
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
    z = bar(x, y)
RESULT = gradient_status([tape.gradient(z, x), tape.gradient(z, y)])
