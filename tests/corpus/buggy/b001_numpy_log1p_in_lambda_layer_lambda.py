# gradls-fixture: tf-verdict=raises:NotImplementedError
# gradls-expect: TFG001@10
# source: realistic program, 2026-12-07 session 4 (log features by NumPy in a Lambda layer)
import numpy as np
import tensorflow as tf
import keras

inputs = keras.Input(shape=(4,))
h = keras.layers.Dense(4, activation="softplus")(inputs)
logh = keras.layers.Lambda(lambda t: np.log1p(t))(h)
out = keras.layers.Dense(1)(logh)
model = keras.Model(inputs, out)
RESULT = ["ok"]
