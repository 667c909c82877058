# gradls-fixture: tf-verdict=ok
# gradls-expect:
# The same loop done right: the model is called on a sample batch before its variables are listed
# (Keras 3's default Model.build would leave them empty).
import numpy as np
import tensorflow as tf


class Regressor(tf.keras.Model):
    def __init__(self, hidden=16):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(hidden, activation="relu")
        self.out = tf.keras.layers.Dense(1)

    def call(self, x, training=False):
        return self.out(self.hidden(x))


x = np.random.rand(64, 4).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 2.0).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(16)

model = Regressor()
model(x[:1])
variables = model.trainable_variables
optimizer = tf.keras.optimizers.Adam(1e-3)
statuses = []
for xb, yb in dataset:
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(yb - model(xb, training=True)))
    grads = tape.gradient(loss, variables)
    statuses = gradient_status(grads)
    optimizer.apply_gradients(zip(grads, variables))
RESULT = statuses
