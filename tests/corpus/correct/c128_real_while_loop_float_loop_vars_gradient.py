# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/13826 (corrected)
# Float loop variables: the gradient of the loop's result with respect to the start value is 1.0.
import tensorflow as tf

i = tf.constant(1.0, name="i")
inc = tf.constant(1.0, name="inc")
with tf.GradientTape() as tape:
    tape.watch(i)
    w = tf.while_loop(lambda i, inc: i <= 5.0, lambda i, inc: [i + inc, inc], [i, inc])
RESULT = gradient_status([tape.gradient(w[0], i)])
