# gradls-fixture: tf-verdict=raises:OperatorNotAllowedInGraphError
# gradls-expect: TFG003@23
# Python `if` on the loss inside an overridden train_step: fit() runs it as a graph and raises.
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class SkipBadBatches(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(y - self(x, training=True)))
        grads = tape.gradient(loss, self.trainable_variables)
        if tf.math.is_finite(loss):  # BUG
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


model = SkipBadBatches()
model.compile(optimizer="sgd")
model.fit(tf.random.normal((8, 3)), tf.random.normal((8, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
