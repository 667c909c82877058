"""model.fit with run_eagerly=True and NumPy inside a layer's call: the layers before it stop learning."""
import numpy as np
import keras


class NumpyRelu(keras.layers.Layer):
    def call(self, x):
        return np.maximum(x, 0.0)  # an ndarray: the tape loses everything upstream


model = keras.Sequential([
    keras.Input((3,)),
    keras.layers.Dense(4, name="upstream"),  # CASE: upstream created
    NumpyRelu(),
    keras.layers.Dense(1, name="downstream"),  # CASE: downstream created
])
model.compile(optimizer="adam", loss="mse", run_eagerly=True)
x = np.random.rand(32, 3).astype("float32")
y = np.random.rand(32, 1).astype("float32")
model.fit(x, y, epochs=50, batch_size=8, verbose=0)  # CASE: fit
