# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Variational autoencoder with the reparameterization trick and a KL term (keras.io VAE example style).
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
LATENT = 2


class Sampling(keras.layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        epsilon = tf.random.normal(shape=tf.shape(z_mean))
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon


enc_in = keras.Input((10,))
h = keras.layers.Dense(8, activation="relu")(enc_in)
z_mean = keras.layers.Dense(LATENT, name="z_mean")(h)
z_log_var = keras.layers.Dense(LATENT, name="z_log_var")(h)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(enc_in, [z_mean, z_log_var, z])

dec_in = keras.Input((LATENT,))
decoder = keras.Model(dec_in, keras.layers.Dense(10)(keras.layers.Dense(8, activation="relu")(dec_in)))

optimizer = keras.optimizers.Adam(1e-3)
data = tf.random.normal((16, 10))

with tf.GradientTape() as tape:
    z_mean_v, z_log_var_v, z_v = encoder(data, training=True)
    reconstruction = decoder(z_v, training=True)
    reconstruction_loss = tf.reduce_mean(tf.reduce_sum(tf.square(data - reconstruction), axis=1))
    kl_loss = -0.5 * (1 + z_log_var_v - tf.square(z_mean_v) - tf.exp(z_log_var_v))
    kl_loss = tf.reduce_mean(tf.reduce_sum(kl_loss, axis=1))
    total_loss = reconstruction_loss + kl_loss
variables = encoder.trainable_variables + decoder.trainable_variables
grads = tape.gradient(total_loss, variables)
optimizer.apply_gradients(zip(grads, variables))
RESULT = gradient_status(grads)
