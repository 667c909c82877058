# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/36870 (corrected: tf.custom_gradient, the TF2 way)
import tensorflow as tf


@tf.custom_gradient
def relu_zero_grad(x):
    def grad(dy):
        return tf.zeros_like(x)

    return tf.nn.relu(x), grad


x = tf.constant([-1.0, 0.0, 1.0, 2.0], dtype=tf.float32)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = relu_zero_grad(x)
dy = tape.gradient(y, x)
assert dy.numpy().tolist() == [0.0, 0.0, 0.0, 0.0]
print("override applied")
RESULT = ["ok"]  # the zeros asked for, checked above
