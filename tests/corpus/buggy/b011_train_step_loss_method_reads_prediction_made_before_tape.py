# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@30
# A custom train_step runs the forward pass before opening the tape and hands the prediction to a loss helper
# method: the tape records only the helper's ops on a tensor it never saw being computed, every gradient is None
# and fit raises `ValueError: No gradients provided for any variable`.
import numpy as np
import tensorflow as tf
from tensorflow import keras


class Regressor(keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(16, activation="relu")
        self.out = keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.hidden(x))

    def compute_loss_parts(self, y, y_pred):
        mse = tf.reduce_mean(tf.square(y - y_pred))
        mae = tf.reduce_mean(tf.abs(y - y_pred))
        return mse + 0.1 * mae

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        with tf.GradientTape() as tape:
            loss = self.compute_loss_parts(y, y_pred)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


model = Regressor()
model.compile(optimizer="adam")
x = np.random.rand(32, 4).astype("float32")
model.fit(x, x.sum(axis=1, keepdims=True), epochs=1, verbose=0)
