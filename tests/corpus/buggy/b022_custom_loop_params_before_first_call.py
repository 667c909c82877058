# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG022@33
# A custom training loop that grabs the variables of a subclassed model before its first call: the list is
# empty forever, and apply_gradients raises `not enough values to unpack (expected 2, got 0)`.
import numpy as np
import tensorflow as tf


class Regressor(tf.keras.Model):
    def __init__(self, hidden=16):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(hidden, activation="relu")
        self.out = tf.keras.layers.Dense(1)

    def call(self, x, training=False):
        return self.out(self.hidden(x))


def make_dataset(n=64):
    x = np.random.rand(n, 4).astype("float32")
    y = (x.sum(axis=1, keepdims=True) > 2.0).astype("float32")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(16)


def mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred))


def train(epochs=2):
    model = Regressor()
    optimizer = tf.keras.optimizers.Adam(1e-3)
    dataset = make_dataset()
    variables = model.trainable_variables
    for epoch in range(epochs):
        for x, y in dataset:
            with tf.GradientTape() as tape:
                loss = mse(y, model(x, training=True))
            grads = tape.gradient(loss, variables)
            optimizer.apply_gradients(zip(grads, variables))
    return model


train()
RESULT = ["ok"]
