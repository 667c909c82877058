"""model.fit with compile(jit_compile=True): the train step is XLA-compiled (no py_function can
run inside it), a long fit must still stop after --steps training steps; `unused` never gets a
gradient."""

import keras
import numpy as np


class WithUnused(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 1), name="kernel")
        self.unused = self.add_weight(shape=(1,), name="unused")  # CASE: unused

    def call(self, x):
        return x @ self.kernel


model = keras.Sequential([keras.Input((4,)), WithUnused()])
model.compile("sgd", "mse", jit_compile=True)
model.fit(np.ones((4000, 4)), np.ones((4000, 1)), batch_size=4, epochs=100, verbose=0)  # CASE: fit
