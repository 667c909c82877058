# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/sintel-dev/Orion/issues/161 (corrected as Orion's TF 2 port does it: the critic is
# trained in `train_step`, and the gradient penalty is the gradient of the critic's output on the real
# interpolated batch, taken with an inner GradientTape; the output unit has no bias, which the Wasserstein cost
# cancels)
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense, Flatten, Input
from tensorflow.keras.models import Sequential


class CriticTrainer(tf.keras.Model):
    def __init__(self, critic):
        super().__init__()
        self.critic = critic
        self.gp_weight = 10

    def gradient_penalty(self, batch_size, real, fake):
        alpha = tf.random.uniform([batch_size, 1, 1])
        interpolated = (alpha * real) + ((1 - alpha) * fake)
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = self.critic(interpolated, training=True)
        grads = gp_tape.gradient(pred, [interpolated])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1, 2]))
        return tf.reduce_mean((norm - 1.0) ** 2)

    def train_step(self, data):
        real, fake = data
        batch_size = tf.shape(real)[0]
        with tf.GradientTape() as tape:
            cost = tf.reduce_mean(self.critic(fake, training=True)) - tf.reduce_mean(self.critic(real, training=True))
            loss = cost + self.gp_weight * self.gradient_penalty(batch_size, real, fake)
        grads = tape.gradient(loss, self.critic.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.critic.trainable_weights))
        return {"loss": loss}


critic_x = Sequential([Input((10, 1)), Flatten(), Dense(16, activation="relu"), Dense(1, use_bias=False)])
trainer = CriticTrainer(critic_x)
trainer.compile(optimizer="adam")
X = np.random.rand(8, 10, 1).astype("float32")
X_fake = np.random.rand(8, 10, 1).astype("float32")
trainer.fit(X, X_fake, epochs=1, batch_size=8, verbose=0)
with tf.GradientTape() as tape:
    cost = tf.reduce_mean(critic_x(X_fake)) - tf.reduce_mean(critic_x(X))
    loss = cost + 10 * trainer.gradient_penalty(8, tf.constant(X), tf.constant(X_fake))
RESULT = gradient_status(tape.gradient(loss, critic_x.trainable_weights))
