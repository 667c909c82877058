# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/47675 (corrected: the second encoder is moved toward the
# first with `assign` on its variables, which runs when `fit` traces `train_step`; the first encoder trains)
import numpy as np
import tensorflow as tf


class DummyExample(tf.keras.Model):
    def __init__(self, output_dim, decay_rate):
        super().__init__()
        self.output_dim = output_dim
        self.decay = decay_rate
        self.encoder_1 = self.create_encoder()
        self.encoder_2 = self.create_encoder()

    def create_encoder(self):
        encoder = tf.keras.Sequential()
        encoder.add(tf.keras.Input(shape=(4,), dtype=tf.float32))
        encoder.add(tf.keras.layers.Dense(units=self.output_dim))
        return encoder

    def call(self, inputs):
        return self.encoder_1(inputs) + self.encoder_2(inputs)

    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.encoder_1(x) - y))
        grads = tape.gradient(loss, self.encoder_1.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.encoder_1.trainable_variables))
        for w1, w2 in zip(self.encoder_1.weights, self.encoder_2.weights):
            w2.assign(self.decay * w2 + (1 - self.decay) * w1)
        return {"loss": loss}


model = DummyExample(2, 0.99)
model.compile(optimizer="adam")
x = np.random.rand(16, 4).astype("float32")
y = np.random.rand(16, 2).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model.encoder_1(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.encoder_1.trainable_variables))
