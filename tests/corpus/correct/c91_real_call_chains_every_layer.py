# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/36880 (corrected)
# call returns linear4 of the chained output, so all four layers reach the loss.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)


class MLP(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.linear1 = tf.keras.layers.Dense(32, activation="relu")
        self.linear2 = tf.keras.layers.Dense(32, activation="relu")
        self.linear3 = tf.keras.layers.Dense(32, activation="relu")
        self.linear4 = tf.keras.layers.Dense(10)

    def call(self, x):
        output = self.linear1(x)
        output = self.linear2(output)
        output = self.linear3(output)
        return self.linear4(output)


model = MLP()
x = np.random.RandomState(0).rand(16, 8).astype("float32")
y = np.random.RandomState(1).randint(0, 10, size=(16,))
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
with tf.GradientTape() as tape:
    loss = loss_fn(y, model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
