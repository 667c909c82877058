# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on VAE usage (the keras.io VAE example's train_step)
# The handed-in encoder runs inside the tape with the decoder: every weight of self.trainable_weights, the
# encoder's included, gets a gradient and changes under fit.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        eps = tf.random.normal(tf.shape(z_mean))
        return z_mean + tf.exp(0.5 * z_log_var) * eps


latent_dim = 2
enc_in = keras.Input(shape=(28, 28, 1))
x = layers.Flatten()(enc_in)
x = layers.Dense(64, activation="relu")(x)
z_mean = layers.Dense(latent_dim, name="z_mean")(x)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(enc_in, [z_mean, z_log_var, z])

dec_in = keras.Input(shape=(latent_dim,))
y = layers.Dense(28 * 28, activation="sigmoid")(dec_in)
decoder = keras.Model(dec_in, layers.Reshape((28, 28, 1))(y))


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def train_step(self, data):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = tf.reduce_mean(
                tf.reduce_sum(keras.losses.binary_crossentropy(data, reconstruction), axis=(1, 2)))
            kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
            kl_loss = tf.reduce_mean(tf.reduce_sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        return {"loss": total_loss, "kl": kl_loss}


data = np.random.rand(128, 28, 28, 1).astype("float32")
vae = VAE(encoder, decoder)
vae.compile(optimizer=keras.optimizers.Adam())
before = [w.numpy().copy() for w in encoder.trainable_weights]
vae.fit(data, epochs=1, batch_size=32, verbose=2)
RESULT = gradient_status([tf.constant(w.numpy() - b) for b, w in zip(before, encoder.trainable_weights)])
