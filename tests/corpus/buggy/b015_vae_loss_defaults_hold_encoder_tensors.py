# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@47
# source: https://github.com/GANs-in-Action/gans-in-action/issues/15
# GANs in Action, chapter 2 notebook (adapted from the Keras 2 VAE example): the encoder's z_mean and z_log_var
# are symbolic tensors of the functional model, and the compiled loss takes them as default values of its extra
# parameters (`z_log_var=z_log_var, z_mean=z_mean`). Readers on TF 2.x report that the chapter's code no longer
# trains. Dense sizes reduced; MNIST replaced by random images. Keras 3 raises ValueError (a KerasTensor cannot
# be used as input to a TensorFlow function) when fit traces the loss.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras import metrics
from tensorflow.keras.layers import Dense, Input, Lambda
from tensorflow.keras.models import Model

batch_size = 16
original_dim = 64
latent_dim = 2
intermediate_dim = 32
epsilon_std = 1.0


def sampling(args: tuple):
    z_mean, z_log_var = args
    epsilon = tf.random.normal(shape=(tf.shape(z_mean)[0], latent_dim), mean=0.0, stddev=epsilon_std)
    return z_mean + tf.exp(z_log_var / 2) * epsilon


x = Input(shape=(original_dim,), name="input")
h = Dense(intermediate_dim, activation="relu", name="encoding")(x)
z_mean = Dense(latent_dim, name="mean")(h)
z_log_var = Dense(latent_dim, name="log-variance")(h)
z = Lambda(sampling, output_shape=(latent_dim,))([z_mean, z_log_var])
encoder = Model(x, [z_mean, z_log_var, z], name="encoder")

input_decoder = Input(shape=(latent_dim,), name="decoder_input")
decoder_h = Dense(intermediate_dim, activation="relu", name="decoder_h")(input_decoder)
x_decoded = Dense(original_dim, activation="sigmoid", name="flat_decoded")(decoder_h)
decoder = Model(input_decoder, x_decoded, name="decoder")

output_combined = decoder(encoder(x)[2])
vae = Model(x, output_combined)


def vae_loss(x: tf.Tensor, x_decoded_mean: tf.Tensor, z_log_var=z_log_var, z_mean=z_mean, original_dim=original_dim):
    xent_loss = original_dim * metrics.binary_crossentropy(x, x_decoded_mean)
    kl_loss = -0.5 * tf.reduce_sum(1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var), axis=-1)
    vae_loss = tf.reduce_mean(xent_loss + kl_loss)
    return vae_loss


vae.compile(optimizer="rmsprop", loss=vae_loss)
x_train = np.random.rand(64, original_dim).astype("float32")
vae.fit(x_train, x_train, shuffle=True, epochs=1, batch_size=batch_size, verbose=0)
RESULT = ["ok"]
