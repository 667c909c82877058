# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/36870 (near-miss: the override entered while the function
# is traced, the tape outside it: the function's backward graph honours it)
import tensorflow as tf


@tf.RegisterGradient("CustZeroB")
def _custom_grad(op, grad):
    return tf.zeros_like(op.inputs[0])


@tf.function
def my_relu(x):
    with tf.compat.v1.get_default_graph().gradient_override_map({"Relu": "CustZeroB"}):
        return tf.nn.relu(x)


x = tf.constant([-1.0, 0.0, 1.0, 2.0], dtype=tf.float32)
with tf.GradientTape() as tape:
    tape.watch(x)
    y = my_relu(x)
dy = tape.gradient(y, x)
assert dy.numpy().tolist() == [0.0, 0.0, 0.0, 0.0]
print("override applied")
RESULT = ["ok"]  # the override's zeros, checked above
