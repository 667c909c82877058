# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/51131 (corrected: the layers are made once and the
# recomputed block is called on real tensors in a subclassed model's call, not on the symbolic Input)
import tensorflow as tf
from tensorflow.keras.layers import Conv2D


class Net(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.c1 = Conv2D(filters=4, kernel_size=(3, 3))
        self.c2 = Conv2D(filters=4, kernel_size=(3, 3))
        self.block = tf.recompute_grad(self._block)

    def _block(self, x):
        return self.c2(self.c1(x))

    def call(self, x):
        return self.block(x)


model = Net()
x = tf.random.normal((2, 16, 16, 3))
model(x)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(model(x) ** 2)
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
