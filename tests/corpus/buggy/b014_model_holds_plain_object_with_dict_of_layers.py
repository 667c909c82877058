# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@22
# source: realistic program, 2026-12-07 session 4 (residual blocks kept in a dict by a helper object)
import numpy as np
import tensorflow as tf
import keras


class Blocks:
    def __init__(self, n, units):
        self.layers = {f"block{i}": keras.layers.Dense(units, activation="relu") for i in range(n)}

    def __call__(self, x):
        for name in sorted(self.layers):
            x = self.layers[name](x)
        return x


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = Blocks(2, 8)
        self.head = keras.layers.Dense(1)

    def call(self, x):
        return self.head(self.blocks(x))


model = Net()
x = np.random.rand(4, 8).astype("float32")
model(x)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x)))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = ["zero"] if len(model.trainable_variables) < 6 else gradient_status(grads)
