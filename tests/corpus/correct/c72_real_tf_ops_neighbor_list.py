# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27491
# corrected: the neighbour list written with TensorFlow ops inside the tf.function.
import tensorflow as tf


@tf.function
def neighborlist(positions):
    d = tf.norm(positions[:, None, :] - positions[None, :, :] + 1e-9, axis=-1)
    return d < 0.5


positions = tf.Variable(tf.random.uniform(shape=[4, 3]))
with tf.GradientTape() as tape:
    energy = tf.reduce_sum(tf.cast(neighborlist(positions), tf.float32) * positions[:, :1]) + tf.reduce_sum(positions)
RESULT = gradient_status([tape.gradient(energy, positions)])
