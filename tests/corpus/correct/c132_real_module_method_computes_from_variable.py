# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/39996 (corrected)
# The module keeps the variable and computes from it in its method, under the tape.
import tensorflow as tf


class MyModule(tf.Module):
    def __init__(self, phi):
        super().__init__()
        self.phi = phi

    def fun(self, x):
        return tf.reduce_sum(tf.exp(self.phi) * x)


phi = tf.Variable(tf.zeros(5), trainable=True)
m = MyModule(phi)
with tf.GradientTape() as tape:
    x = tf.ones(5)
    res = m.fun(x)
RESULT = gradient_status([tape.gradient(res, phi)])
