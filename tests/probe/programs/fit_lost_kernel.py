"""model.fit (graph mode) with a layer whose kernel never gets a gradient; 100 epochs on purpose."""
import numpy as np
import keras
import tensorflow as tf


class FrozenByAccident(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 2), name="kernel")  # CASE: kernel created

    def call(self, x):
        return tf.matmul(x, tf.stop_gradient(self.kernel))  # CASE: cut


model = keras.Sequential([
    keras.Input((3,)),
    FrozenByAccident(name="frozen"),
    keras.layers.Dense(1, name="head"),  # CASE: head created
])
model.compile(optimizer="sgd", loss="mse")
x = np.random.rand(64, 3).astype("float32")
y = np.random.rand(64, 1).astype("float32")
print("before fit")
model.fit(x, y, epochs=100, batch_size=16, verbose=0)  # CASE: fit
print("fit finished: the probe should have stopped the program before this line")
