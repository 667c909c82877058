# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@31
# source: https://github.com/bnsreenu/python_for_microscopists/issues/32
# VAE whose loss layer computes the KL term with TF ops on the encoder's z_mu / z_sigma read from the module scope:
# Keras 3 raises (a KerasTensor cannot be used as input to a TensorFlow function) when the layer is applied.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

latent_dim = 2
inp = keras.Input(shape=(784,))
x = layers.Dense(32, activation="relu")(inp)
z_mu = layers.Dense(latent_dim)(x)
z_sigma = layers.Dense(latent_dim)(x)


def sample_z(args):
    mu, sigma = args
    eps = tf.random.normal(shape=tf.shape(mu))
    return mu + tf.exp(sigma / 2) * eps


z = layers.Lambda(sample_z, output_shape=(latent_dim,))([z_mu, z_sigma])
decoded = layers.Dense(784, activation="sigmoid")(layers.Dense(32, activation="relu")(z))


class CustomLayer(layers.Layer):
    def vae_loss(self, x, z_decoded):
        recon_loss = keras.metrics.binary_crossentropy(x, z_decoded)
        kl_loss = -5e-4 * tf.reduce_mean(1 + z_sigma - tf.square(z_mu) - tf.exp(z_sigma), axis=-1)
        return tf.reduce_mean(recon_loss + kl_loss)

    def call(self, inputs):
        x, z_decoded = inputs
        loss = self.vae_loss(x, z_decoded)
        self.add_loss(loss)
        return x


y = CustomLayer()([inp, decoded])
vae = keras.Model(inp, y)
vae.compile(optimizer="adam", loss=None)
vae.fit(np.random.rand(32, 784).astype("float32"), None, epochs=1, batch_size=16, verbose=0)
