# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://www.tensorflow.org/guide/autodiff (State stops gradients)
# corrected: the sum is a tensor computed on the tape, not written into a variable.
import tensorflow as tf

x0 = tf.Variable(3.0)
x1 = tf.Variable(0.0)
with tf.GradientTape() as tape:
    s = x1 + x0
    y = s**2
RESULT = gradient_status([tape.gradient(y, x0)])
