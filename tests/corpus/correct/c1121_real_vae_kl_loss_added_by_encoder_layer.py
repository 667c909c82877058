# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://linux-blog.anracom.com/2022/05/23/variational-autoencoder-with-tensorflow-iii-problems-with-the-kl-loss-and-eager-execution/
# (corrected as the series goes on: a layer of the encoder takes `mu` and `log_var` as its inputs and adds the KL
# divergence with `add_loss`, so it is computed from the batch's values at every step; the compiled loss is only
# the reconstruction term. The encoder's weights move.)
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers
from tensorflow.keras.models import Model


class KLLossLayer(layers.Layer):
    def call(self, inputs):
        mu, log_var = inputs
        kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mu) - tf.exp(log_var), axis=1)
        self.add_loss(tf.reduce_mean(kl))
        return inputs


class VAE:
    def __init__(self, input_dim, z_dim, r_loss_factor=1000.0):
        self.r_loss_factor = r_loss_factor
        encoder_input = layers.Input(shape=(input_dim,), name="encoder_input")
        x = layers.Dense(16, activation="relu")(encoder_input)
        mu = layers.Dense(z_dim, name="mu")(x)
        log_var = layers.Dense(z_dim, name="log_var")(x)
        mu, log_var = KLLossLayer()([mu, log_var])

        def sampling(args):
            mu, log_var = args
            epsilon = tf.random.normal(shape=tf.shape(mu), mean=0.0, stddev=1.0)
            return mu + tf.exp(log_var / 2) * epsilon

        encoder_output = layers.Lambda(sampling, output_shape=(z_dim,), name="encoder_output")([mu, log_var])
        decoder_input = layers.Input(shape=(z_dim,), name="decoder_input")
        y = layers.Dense(16, activation="relu")(decoder_input)
        self.decoder = Model(decoder_input, layers.Dense(input_dim, activation="sigmoid")(y))
        self.model = Model(encoder_input, self.decoder(encoder_output))

    def compile(self, learning_rate):
        def vae_r_loss(y_true, y_pred):
            return self.r_loss_factor * tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)

        self.model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=learning_rate), loss=vae_r_loss)


data = np.random.rand(32, 8).astype("float32")
vae = VAE(input_dim=8, z_dim=2)
vae.compile(learning_rate=0.0005)
log_var_layer = vae.model.get_layer("log_var")
before = log_var_layer.kernel.numpy().copy()
vae.model.fit(data, data, batch_size=8, epochs=1, verbose=0)
RESULT = ["ok" if np.abs(log_var_layer.kernel.numpy() - before).sum() > 0 else "zero"]
