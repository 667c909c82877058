# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG007@12
# A tf.Variable created in Layer.call: under fit() the call is traced and variable creation raises.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class LearnedScale(keras.layers.Layer):
    def call(self, inputs):
        scale = tf.Variable(tf.ones((inputs.shape[-1],)))  # BUG
        return inputs * scale


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4), LearnedScale(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(tf.random.normal((8, 4)), tf.random.normal((8, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
