# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Overriding Model.train_step ("customizing what happens in fit()" tutorial, TensorFlow backend).
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class CustomModel(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.out = keras.layers.Dense(1)
        self.loss_tracker = keras.metrics.Mean(name="loss")

    def call(self, inputs):
        return self.out(self.hidden(inputs))

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = tf.reduce_mean(tf.square(y - y_pred))
        gradients = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    @property
    def metrics(self):
        return [self.loss_tracker]


model = CustomModel()
model.compile(optimizer="adam")
x = tf.random.normal((16, 5))
y = tf.random.normal((16, 1))
model.fit(x, y, epochs=1, batch_size=8, verbose=0)

with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
