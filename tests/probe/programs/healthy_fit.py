"""A healthy Keras training script (functional model, custom layer with its own weights)."""
import numpy as np
import keras
import tensorflow as tf

keras.utils.set_random_seed(0)  # the same weights every run: the test asserts every gradient is healthy

class Scale(keras.layers.Layer):
    def build(self, input_shape):
        self.alpha = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="alpha")  # CASE: alpha created

    def call(self, x):
        return x * self.alpha


inputs = keras.Input((4,))
h = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)  # CASE: hidden created
h = Scale(name="scale")(h)
outputs = keras.layers.Dense(1, name="out")(h)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
x = np.random.rand(64, 4).astype("float32")
y = np.random.rand(64, 1).astype("float32")
model.fit(x, y, epochs=20, batch_size=16, verbose=0)  # CASE: fit
print("trained")
