"""A ReLU layer whose bias starts far below zero: no example activates any of its 32 units, so its
kernel and bias get all-zero gradients at every step (dead units)."""

import keras
import numpy as np

model = keras.Sequential(
    [
        keras.Input((4,)),
        keras.layers.Dense(32, activation="relu", bias_initializer=keras.initializers.Constant(-100.0)),  # CASE: dead
        keras.layers.Dense(1),
    ]
)
model.compile(keras.optimizers.SGD(0.01), "mse")
x = np.random.default_rng(0).uniform(0, 1, (64, 4)).astype("float32")
model.fit(x, np.ones((64, 1), "float32"), batch_size=16, epochs=5, verbose=0)  # CASE: fit
