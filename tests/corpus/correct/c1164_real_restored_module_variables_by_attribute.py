# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/onnx/onnx-tensorflow/issues/1002 (corrected: the restored variables are reached
# through the attributes the module saved them under)
import tempfile

import tensorflow as tf


class Net(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((3, 1)), name="w")
        self.b = tf.Variable(tf.ones((1,)), name="b")

    @tf.function(input_signature=[tf.TensorSpec((None, 3), tf.float32)])
    def __call__(self, x):
        return tf.matmul(x, self.w) + self.b


path = tempfile.mkdtemp()
tf.saved_model.save(Net(), path)

net = tf.saved_model.load(path)
x = tf.random.normal((4, 3))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(net(x) ** 2)
grads = tape.gradient(loss, [net.w, net.b])
RESULT = gradient_status(grads)
