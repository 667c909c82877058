# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A trainer class made with an unbuilt Sequential that reads model.trainable_variables in its step: trains.
import numpy as np
import tensorflow as tf
import keras


class Trainer:
    def __init__(self, model, lr=1e-2):
        self.model = model
        self.opt = keras.optimizers.SGD(lr)
        self.variables = model.trainable_variables

    def train_step(self, x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.model(x) - y))
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.opt.apply_gradients(zip(grads, self.model.trainable_variables))
        return loss


model = keras.Sequential([keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
trainer = Trainer(model)
x = np.random.rand(16, 4).astype("float32")
y = np.random.rand(16, 1).astype("float32")
trainer.train_step(x, y)
before = [v.numpy().copy() for v in model.trainable_variables]
trainer.train_step(x, y)
after = [v.numpy() for v in model.trainable_variables]
RESULT = ["zero"] if all(np.array_equal(a, b) for a, b in zip(before, after)) else ["ok"]
