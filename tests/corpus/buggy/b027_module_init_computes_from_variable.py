# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG027@13
# source: https://github.com/tensorflow/tensorflow/issues/39996
# "tf.Module break gradient registration": a tf.Module computes a tensor from the variable it is given in
# __init__, and its method uses that tensor; the module is built before the tape, so the gradient with respect
# to the variable is None (the maintainer's answer: build the module inside the tape, or compute in the method).
import tensorflow as tf


class MyModule(tf.Module):
    def __init__(self, phi):
        super().__init__()
        self.scale = tf.exp(phi)

    def fun(self, x):
        return tf.reduce_sum(self.scale * x)


phi = tf.Variable(tf.zeros(5), trainable=True)
m = MyModule(phi)
with tf.GradientTape() as tape:
    x = tf.ones(5)
    tape.watch(phi)
    res = m.fun(x)
RESULT = gradient_status([tape.gradient(res, phi)])
