# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG002@22
# float() on a tensor inside train_step: under fit() the tensor is symbolic and float() raises TypeError.
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class ScaledModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            spread = float(tf.math.reduce_std(y_pred)) + 1.0  # BUG
            loss = tf.reduce_mean(tf.square(y - y_pred)) / spread
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


model = ScaledModel()
model.compile(optimizer="sgd")
model.fit(tf.random.normal((8, 3)), tf.random.normal((8, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
