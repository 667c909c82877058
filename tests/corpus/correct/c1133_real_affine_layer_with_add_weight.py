# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/61658 (near-miss: the affine map is a subclassed layer
# whose weight is made by add_weight, as the maintainer advises; fit trains it)
import numpy as np
import tensorflow as tf


class Affine(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1], 2), initializer="random_normal")
        self.bias = tf.ones((1, 2))

    def call(self, x):
        return tf.add(tf.matmul(x, self.w), self.bias)


mylayer1 = Affine(name="affine1")
model = tf.keras.Sequential([tf.keras.Input((4,)), mylayer1, tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse")

x_input = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")
before = mylayer1.w.numpy().copy()
model.fit(x_input, y, epochs=2, verbose=0)
RESULT = gradient_status([mylayer1.w.numpy() - before])
