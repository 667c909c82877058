# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@30
# source: https://github.com/tensorflow/tensorflow/issues/37141
# A Wasserstein autoencoder with a latent discriminator: the discriminator's gradient is taken of
# -latent_loss, negated in the gradient call after both tapes closed, so the discriminator gets None for every
# weight (its apply_gradients raises No gradients provided).
import numpy as np
import tensorflow as tf

encoder = tf.keras.Sequential([tf.keras.Input((16,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(2)])
decoder = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(16)])
disc = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
ae_opt = tf.keras.optimizers.Adam(1e-3)
disc_opt = tf.keras.optimizers.Adam(1e-3)


def train_step(x):
    with tf.GradientTape() as ae_tape, tf.GradientTape() as disc_tape:
        z = encoder(x)
        x_hat = decoder(z)
        recon_loss = tf.reduce_mean(tf.square(x - x_hat))
        z_prior = tf.random.normal(tf.shape(z))
        d_fake = disc(z)
        d_real = disc(z_prior)
        latent_loss = tf.reduce_mean(tf.math.log(tf.sigmoid(d_real) + 1e-6) + tf.math.log(1.0 - tf.sigmoid(d_fake) + 1e-6))
        ae_loss = recon_loss + tf.reduce_mean(tf.math.log(1.0 - tf.sigmoid(d_fake) + 1e-6))
    ae_vars = encoder.trainable_variables + decoder.trainable_variables
    ae_gradients = ae_tape.gradient(ae_loss, ae_vars)
    ae_opt.apply_gradients(zip(ae_gradients, ae_vars))
    disc_gradients = disc_tape.gradient(-latent_loss, disc.trainable_variables)
    disc_opt.apply_gradients(zip(disc_gradients, disc.trainable_variables))


train_step(tf.constant(np.random.rand(16, 16).astype("float32")))
