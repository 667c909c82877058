# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG013@6
# Watching an integer tensor only logs a warning; the gradient w.r.t. it is None.
import tensorflow as tf

counts = tf.constant([[1, 2], [3, 4]])  # BUG

with tf.GradientTape() as tape:
    tape.watch(counts)
    y = tf.reduce_sum(tf.square(tf.cast(counts, tf.float32)))
grad = tape.gradient(y, counts)
RESULT = gradient_status([grad])
