# gradls-fixture: tf-verdict=raises:OperatorNotAllowedInGraphError
# gradls-expect: TFG003@13
# Python `if` on a tensor in Layer.call: Keras 3 does not AutoGraph call(), so fit() raises.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class NormalizeIfLarge(keras.layers.Layer):
    def call(self, inputs):
        norm = tf.norm(inputs, axis=-1, keepdims=True)
        if tf.reduce_max(norm) > 1.0:  # BUG
            return inputs / norm
        return inputs


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), NormalizeIfLarge(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(tf.random.normal((8, 4)), tf.random.normal((8, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
