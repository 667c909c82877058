# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/29942 (corrected)
# x is computed inside the tape from the variable, so the tape records it: the gradient with respect to x is 1.
import tensorflow as tf

x0 = tf.Variable(0.5, name="x0")
x1 = tf.constant(3.0)
y = tf.constant(4.0)
with tf.GradientTape() as tape:
    x = x0 + x1
    z = x + y
tape_grad = tape.gradient(z, x)
print(tape_grad)
RESULT = gradient_status([tape_grad])
