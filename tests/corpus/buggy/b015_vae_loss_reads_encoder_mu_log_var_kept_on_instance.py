# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@49
# source: https://linux-blog.anracom.com/2022/05/23/variational-autoencoder-with-tensorflow-iii-problems-with-the-kl-loss-and-eager-execution/
# The textbook VAE recipe the post starts from (D. Foster's "Generative Deep Learning"): the Keras loss given to
# `compile` closes over the encoder's symbolic `mu` and `log_var` layer outputs to add the KL divergence. Under
# eager TF 2 those are graph-construction (Keras) tensors, not values of the batch: TF 2.8 raised while fitting,
# Keras 3 raises `ValueError: A KerasTensor cannot be used as input to a TensorFlow function`. Dense encoder and
# decoder on 8 features stand in for the post's convolutional ones.
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers
from tensorflow.keras.models import Model


class VAE:
    def __init__(self, input_dim, z_dim, r_loss_factor=1000.0):
        self.z_dim = z_dim
        self.r_loss_factor = r_loss_factor

        encoder_input = layers.Input(shape=(input_dim,), name="encoder_input")
        x = layers.Dense(16, activation="relu")(encoder_input)
        self.mu = layers.Dense(z_dim, name="mu")(x)
        self.log_var = layers.Dense(z_dim, name="log_var")(x)
        self.encoder_mu_log_var = Model(encoder_input, (self.mu, self.log_var))

        def sampling(args):
            mu, log_var = args
            epsilon = tf.random.normal(shape=tf.shape(mu), mean=0.0, stddev=1.0)
            return mu + tf.exp(log_var / 2) * epsilon

        encoder_output = layers.Lambda(sampling, output_shape=(z_dim,), name="encoder_output")([self.mu, self.log_var])
        self.encoder = Model(encoder_input, encoder_output)

        decoder_input = layers.Input(shape=(z_dim,), name="decoder_input")
        y = layers.Dense(16, activation="relu")(decoder_input)
        decoder_output = layers.Dense(input_dim, activation="sigmoid")(y)
        self.decoder = Model(decoder_input, decoder_output)

        self.model = Model(encoder_input, self.decoder(encoder_output))

    def compile(self, learning_rate):
        optimizer = tf.keras.optimizers.Adam(learning_rate=learning_rate)

        def vae_r_loss(y_true, y_pred):
            r_loss = tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
            return self.r_loss_factor * r_loss

        def vae_kl_loss(y_true, y_pred):
            kl_loss = -0.5 * tf.reduce_sum(1 + self.log_var - tf.square(self.mu) - tf.exp(self.log_var), axis=1)
            return kl_loss

        def vae_loss(y_true, y_pred):
            return vae_r_loss(y_true, y_pred) + vae_kl_loss(y_true, y_pred)

        self.model.compile(optimizer=optimizer, loss=vae_loss)


data = np.random.rand(32, 8).astype("float32")
vae = VAE(input_dim=8, z_dim=2)
vae.compile(learning_rate=0.0005)
vae.model.fit(data, data, batch_size=8, epochs=1, verbose=0)
RESULT = ["ok"]
