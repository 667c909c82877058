# gradls-fixture: tf-verdict=nan-gradient
# gradls-expect: TFG030@10
# source: https://github.com/tensorflow/tensorflow/issues/38349
# "nan gradient when tf.where is used": the unselected branch pow(10, exp(a)) overflows to inf; its gradient is
# inf, multiplied by tf.where's zero it gives NaN for `a`.
import tensorflow as tf

a = tf.Variable(10.0)
with tf.GradientTape() as tape:
    out = tf.where(a < 15.0, a, tf.math.pow(10.0, tf.math.exp(a)))
    grads = tape.gradient(out, a)
RESULT = gradient_status([grads])
