# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@11
# source: https://github.com/tensorflow/tensorflow/issues/56968
# "tape.gradient is returning none": the source `ones` is a plain tensor created before the tape and never
# watched, and the target is a constant made inside the tape: nothing connects them, so the gradient is None.
import tensorflow as tf

ones = tf.ones([1, 128, 128, 1], tf.float32)
with tf.GradientTape() as tape:
    class_channel = tf.constant([4.4328732], dtype=tf.float32)
    grads = tape.gradient(class_channel, ones)
print("grads: ", grads)
RESULT = gradient_status([grads])
