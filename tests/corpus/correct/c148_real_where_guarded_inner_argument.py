# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/38349 (corrected)
# The documented workaround: a second tf.where feeds the risky branch a safe value, so it never overflows.
import tensorflow as tf

a = tf.Variable(10.0)
with tf.GradientTape() as tape:
    safe_a = tf.where(a < 15.0, tf.zeros_like(a), a)
    out = tf.where(a < 15.0, a, tf.math.pow(10.0, tf.math.exp(safe_a)))
grads = tape.gradient(out, a)
RESULT = gradient_status([grads])
