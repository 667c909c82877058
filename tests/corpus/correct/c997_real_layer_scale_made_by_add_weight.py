# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://errorhandle.ai/why-would-you-add-a-variable-to-the-trainable-weights-list-of-a-layer (corrected, the
# Keras 3 way the answer points to: the extra scale is made with add_weight, which registers and trains it)
import numpy as np
import tensorflow as tf
from tensorflow import keras


class ScaledDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(units)
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, x):
        return self.scale * self.dense(x)


layer = ScaledDense(1)
model = keras.Sequential([keras.Input((4,)), layer])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
x = np.random.rand(64, 4).astype("float32")
y = 3.0 * x.sum(axis=1, keepdims=True)
before = layer.scale.numpy()
model.fit(x, y, epochs=2, verbose=0)
RESULT = gradient_status([layer.scale.numpy() - before])
