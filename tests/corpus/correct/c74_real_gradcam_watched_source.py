# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/56968 (the maintainer's answer)
# The fixed shape: the source is watched and the target is computed from it inside the tape.
import tensorflow as tf

ones = tf.ones([1, 128, 128, 1], tf.float32)
with tf.GradientTape() as tape:
    tape.watch(ones)
    class_channel = tf.reduce_sum(ones * tf.constant([4.4328732], dtype=tf.float32))
grads = tape.gradient(class_channel, ones)
print("grads: ", grads.shape)
RESULT = gradient_status([grads])
