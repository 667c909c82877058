# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG013@6
# tf.Variable([0, 0, 0]) is int32: the gradient w.r.t. it is None, without any message.
import tensorflow as tf

offsets = tf.Variable([0, 0, 0])  # BUG
x = tf.constant([1.0, 2.0, 3.0])

with tf.GradientTape() as tape:
    shifted = x + tf.cast(offsets, tf.float32)
    loss = tf.reduce_sum(tf.square(shifted - 2.0))
grads = tape.gradient(loss, [offsets])
RESULT = gradient_status(grads)
