# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@35
# A Keras-2-era VAE: the KL term is added through a loss factory that closes over the encoder's symbolic
# z_mean / z_log_var.  Keras 3 refuses the captured KerasTensors at the first fit() step.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

keras.utils.set_random_seed(0)
original_dim, latent_dim = 20, 2


def sampling(args):
    z_mean, z_log_var = args
    eps = tf.random.normal(tf.shape(z_mean))
    return z_mean + tf.exp(0.5 * z_log_var) * eps


inputs = keras.Input(shape=(original_dim,), name="encoder_input")
h = layers.Dense(16, activation="relu")(inputs)
z_mean = layers.Dense(latent_dim, name="z_mean")(h)
z_log_var = layers.Dense(latent_dim, name="z_log_var")(h)
z = layers.Lambda(sampling, output_shape=(latent_dim,), name="z")([z_mean, z_log_var])

decoder_h = layers.Dense(16, activation="relu")
decoder_out = layers.Dense(original_dim, activation="sigmoid")
x_decoded = decoder_out(decoder_h(z))
vae = keras.Model(inputs, x_decoded, name="vae")


def vae_loss(z_mean, z_log_var):
    def loss(y_true, y_pred):
        reconstruction = original_dim * keras.losses.binary_crossentropy(y_true, y_pred)
        kl = -0.5 * tf.reduce_sum(1.0 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
        return tf.reduce_mean(reconstruction + kl)

    return loss


x_train = np.random.rand(64, original_dim).astype("float32")
vae.compile(optimizer="adam", loss=vae_loss(z_mean, z_log_var))
vae.fit(x_train, x_train, epochs=1, batch_size=32, verbose=0)
RESULT = ["ok"]
