# gradls-fixture: tf-verdict=raises:NotImplementedError
# gradls-expect: TFG001@21
# np.exp inside Layer.call: Keras 3 traces call symbolically under fit(), so NumPy raises NotImplementedError.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class SoftplusDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, inputs):
        z = tf.matmul(inputs, self.kernel)
        return tf.math.log(1.0 + np.exp(z))  # BUG


model = keras.Sequential([keras.Input((3,)), SoftplusDense(4), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(tf.random.normal((8, 3)), tf.random.normal((8, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
