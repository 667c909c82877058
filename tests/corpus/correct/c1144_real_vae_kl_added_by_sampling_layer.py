# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/GANs-in-Action/gans-in-action/issues/15
# Corrected for Keras 3: the KL term is computed where z_mean and z_log_var are real tensors, in the sampling
# layer's call() through add_loss; the compiled loss keeps only a plain Python default (original_dim) beside
# y_true / y_pred. fit trains the encoder and the decoder (RESULT).
import numpy as np
import tensorflow as tf
from tensorflow.keras import metrics
from tensorflow.keras.layers import Dense, Input, Layer
from tensorflow.keras.models import Model

batch_size = 16
original_dim = 64
latent_dim = 2
intermediate_dim = 32
epsilon_std = 1.0


class Sampling(Layer):
    def call(self, args):
        z_mean, z_log_var = args
        kl_loss = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
        self.add_loss(tf.reduce_mean(kl_loss))
        epsilon = tf.random.normal(shape=(tf.shape(z_mean)[0], latent_dim), mean=0.0, stddev=epsilon_std)
        return z_mean + tf.exp(z_log_var / 2) * epsilon


x = Input(shape=(original_dim,), name="input")
h = Dense(intermediate_dim, activation="relu", name="encoding")(x)
z_mean = Dense(latent_dim, name="mean")(h)
z_log_var = Dense(latent_dim, name="log-variance")(h)
z = Sampling()([z_mean, z_log_var])
encoder = Model(x, [z_mean, z_log_var, z], name="encoder")

input_decoder = Input(shape=(latent_dim,), name="decoder_input")
decoder_h = Dense(intermediate_dim, activation="relu", name="decoder_h")(input_decoder)
x_decoded = Dense(original_dim, activation="sigmoid", name="flat_decoded")(decoder_h)
decoder = Model(input_decoder, x_decoded, name="decoder")

output_combined = decoder(encoder(x)[2])
vae = Model(x, output_combined)


def vae_loss(x: tf.Tensor, x_decoded_mean: tf.Tensor, original_dim=original_dim):
    xent_loss = original_dim * metrics.binary_crossentropy(x, x_decoded_mean)
    return tf.reduce_mean(xent_loss)


vae.compile(optimizer="rmsprop", loss=vae_loss)
x_train = np.random.rand(64, original_dim).astype("float32")
before = [w.numpy().copy() for w in vae.trainable_weights]
vae.fit(x_train, x_train, shuffle=True, epochs=1, batch_size=batch_size, verbose=0)
RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, vae.trainable_weights)]
