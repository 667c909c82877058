# gradls-fixture: tf-verdict=raises:OperatorNotAllowedInGraphError
# gradls-expect: TFG003@18
# Python `while` on a tensor in a subclassed Model.call, trained with fit().
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class IterativeRefiner(keras.Model):
    def __init__(self):
        super().__init__()
        self.step = keras.layers.Dense(4, activation="tanh")
        self.head = keras.layers.Dense(1)

    def call(self, x):
        h = x
        while tf.reduce_mean(tf.abs(h)) > 0.1:  # BUG
            h = 0.5 * self.step(h)
        return self.head(h)


model = IterativeRefiner()
model.compile(optimizer="adam", loss="mse")
model.fit(tf.random.normal((8, 4)), tf.random.normal((8, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
