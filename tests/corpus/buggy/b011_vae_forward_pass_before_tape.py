# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@43
# source: https://github.com/tensorflow/tensorflow/issues/54341
# A VAE trained in a custom loop: the forward pass `X_recon, mu, log_var = model(X)` runs before the tape and only
# the loss is computed inside it; every gradient is None and apply_gradients raises No gradients provided.
import numpy as np
import tensorflow as tf
from tensorflow import keras


class VAE(keras.Model):
    def __init__(self, latent_dim=3):
        super().__init__()
        self.enc = keras.layers.Dense(16, activation="relu")
        self.mu = keras.layers.Dense(latent_dim)
        self.log_var = keras.layers.Dense(latent_dim)
        self.dec = keras.layers.Dense(784, activation="sigmoid")

    def call(self, x):
        h = self.enc(x)
        mu = self.mu(h)
        log_var = self.log_var(h)
        eps = tf.random.normal(tf.shape(mu))
        z = mu + tf.exp(0.5 * log_var) * eps
        return self.dec(z), mu, log_var


def compute_total_loss(data, reconstruction, mu, log_var, alpha=1):
    recon_loss = tf.reduce_mean(tf.reduce_sum(tf.square(data - reconstruction), axis=1))
    kl_loss = -0.5 * tf.reduce_mean(tf.reduce_sum(1 + log_var - tf.square(mu) - tf.exp(log_var), axis=1))
    return recon_loss * alpha + kl_loss


model = VAE()
optimizer = keras.optimizers.Adam(1e-3)
X = np.random.rand(4, 784).astype("float32")

X_recon, mu, log_var = model(X)

with tf.GradientTape() as tape:
    total_loss = compute_total_loss(data=X, reconstruction=X_recon, mu=mu, log_var=log_var, alpha=1)

grads = tape.gradient(total_loss, model.trainable_weights)
optimizer.apply_gradients(zip(grads, model.trainable_weights))
