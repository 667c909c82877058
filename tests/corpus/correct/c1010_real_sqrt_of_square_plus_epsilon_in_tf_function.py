# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/42602 (corrected: the square root is kept away from exact
# zero with a small epsilon, so the 0.0 entry gets a finite gradient)
import tensorflow as tf


@tf.function
def fun(v):
    v = tf.square(v)
    v = tf.sqrt(v + 1e-12)
    return tf.reduce_sum(v, axis=-1)


x = tf.Variable([[1.0, 0.0]])
with tf.GradientTape() as tape:
    z = fun(x)
    loss = tf.nn.l2_loss(z)
RESULT = gradient_status([tape.gradient(loss, x)])
