# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG013@9
# source: https://github.com/tensorflow/tensorflow/issues/13826
# "while_loop gradient failure with ints": the loop variables are int32 constants, so the gradient of the loop's
# result with respect to the start value is None (TF 2.21 only logs "The dtype of the watched tensor must be
# floating"); with float constants the same loop gives 1.0.
import tensorflow as tf

i = tf.constant(1, name="i")
inc = tf.constant(1, name="inc")
with tf.GradientTape() as tape:
    tape.watch(i)
    w = tf.while_loop(lambda i, inc: i <= 5, lambda i, inc: [i + inc, inc], [i, inc])
RESULT = gradient_status([tape.gradient(w[0], i)])
