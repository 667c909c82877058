# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A subclassed Model with a Python `if` on a tensor in call(), compiled with run_eagerly=True.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class ClippedRegressor(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, x):
        h = self.hidden(x)
        if tf.reduce_max(tf.abs(h)) > 5.0:
            h = h / tf.reduce_max(tf.abs(h))
        return self.out(h)


model = ClippedRegressor()
model.compile(optimizer="adam", loss="mse", run_eagerly=True)
x = tf.random.normal((16, 4))
y = tf.random.normal((16, 1))
model.fit(x, y, epochs=1, batch_size=8, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
