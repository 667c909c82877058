"""A LoRA-style adapter: B starts at zero, so A's gradient is exactly zero at step 1 only, by
design; after the first update B is non-zero and A learns. Not a problem."""

import keras
import numpy as np


class LoRADense(keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 1), initializer="ones", trainable=False)
        self.lora_a = self.add_weight(shape=(input_shape[-1], 2), initializer="ones", name="lora_a")  # CASE: lora_a
        self.lora_b = self.add_weight(shape=(2, 1), initializer="zeros", name="lora_b")

    def call(self, x):
        return x @ self.kernel + (x @ self.lora_a) @ self.lora_b


model = keras.Sequential([keras.Input((3,)), LoRADense()])
model.compile(keras.optimizers.SGD(0.01), "mse")
model.fit(np.ones((64, 3)), np.zeros((64, 1)), batch_size=4, epochs=10, verbose=0)  # CASE: fit
