# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG016@23
# A train_step override that "makes sure" the tape sees the weights by watching them explicitly.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class Regressor(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            tape.watch(self.trainable_variables)
            loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


model = Regressor()
model.compile(optimizer="adam")
model.fit(np.random.randn(32, 5).astype("float32"), np.random.randn(32, 1).astype("float32"), epochs=1, verbose=0)
RESULT = ["ok"]
