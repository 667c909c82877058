# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG026@48
# source: https://github.com/keras-team/keras/issues/10819
# "KL-error at keras/examples/variational_autoencoder.py": the VAE loss is changed from
# mean(reconstruction_loss + kl_loss) to mean(kl_loss); the decoder never reaches that loss, so its weights get
# None ("An operation has None for gradient"). Written in the Keras 3 form of the example (train_step).
import numpy as np
import tensorflow as tf
import keras
from keras import layers

keras.utils.set_random_seed(0)
latent_dim = 2


class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = keras.random.normal(shape=tf.shape(z_mean), seed=1)
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon


encoder_inputs = keras.Input(shape=(8,))
h = layers.Dense(16, activation="relu")(encoder_inputs)
z_mean = layers.Dense(latent_dim, name="z_mean")(h)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

latent_inputs = keras.Input(shape=(latent_dim,))
decoder_outputs = layers.Dense(8, activation="sigmoid")(layers.Dense(16, activation="relu")(latent_inputs))
decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def gradients(self, data):
        with tf.GradientTape() as tape:
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            reconstruction_loss = tf.reduce_mean(keras.losses.binary_crossentropy(data, reconstruction))
            kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
            vae_loss = tf.reduce_mean(kl_loss)
        return tape.gradient(vae_loss, self.trainable_weights)


vae = VAE(encoder, decoder)
data = np.random.RandomState(0).rand(16, 8).astype("float32")
RESULT = gradient_status(vae.gradients(data))
