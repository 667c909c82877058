"""A Python `if` on a tensor in Layer.call raises under fit (Keras 3 does not AutoGraph-convert call)."""
import numpy as np
import keras
import tensorflow as tf


class Gate(keras.layers.Layer):
    def call(self, x):
        if tf.reduce_sum(x) > 0:  # CASE: tensor as bool
            return x
        return -x


model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), Gate(), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.ones((8, 2), "float32"), np.ones((8, 1), "float32"), epochs=3, verbose=0)
