# gradls-fixture: tf-verdict=raises:NotImplementedError
# gradls-expect: TFG002@38
# source: https://github.com/tensorflow/tensorflow/issues/47675
# A model keeps two encoders built by a helper method; its custom `train_step` trains the first and moves the
# second toward it with `set_weights([...get_weights()...])`. `get_weights()` returns every weight's `.numpy()`,
# and `fit` traces `train_step`, so TF 2.21 raises NotImplementedError (numpy() is only available when eager
# execution is enabled). The reporter's TF 2.4 crashed in `set_weights`; the layer sizes and data are small
# stand-ins, the loss an MSE on the first encoder.
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
        new_weights = [
            self.decay * w2 + (1 - self.decay) * w1
            for w1, w2 in zip(self.encoder_1.get_weights(), self.encoder_2.get_weights())
        ]
        self.encoder_2.set_weights(new_weights)
        return {"loss": loss}


model = DummyExample(2, 0.99)
model.compile(optimizer="adam")
x = np.random.rand(16, 4).astype("float32")
y = np.random.rand(16, 2).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
print("trained")
