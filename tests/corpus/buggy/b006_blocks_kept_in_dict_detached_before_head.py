# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG006@22
# A model keeps its blocks in a dict made in build and detaches their output before the head: no block trains.
import numpy as np
import tensorflow as tf
import keras


class Tower(keras.Model):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.order = ["a", "b", "c"]

    def build(self, input_shape):
        self.blocks = {name: keras.layers.Dense(8, activation="relu") for name in self.order}
        self.head = keras.layers.Dense(1)

    def call(self, x):
        h = x
        for name in self.order:
            h = self.blocks[name](h)
        feats = tf.stop_gradient(h)
        return self.head(feats)


model = Tower()
x = np.random.rand(8, 4).astype("float32")
y = np.random.rand(8, 1).astype("float32")
model(x)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
grads = tape.gradient(loss, model.blocks["a"].trainable_variables)
RESULT = gradient_status(grads)
