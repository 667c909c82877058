# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG015@22
# source: https://github.com/eriklindernoren/Keras-GAN/issues/215
# WGAN-GP of Keras-GAN under TF 2 (tf.keras 2, here the tf_keras package): the gradient penalty is a compiled
# loss, a partial() whose averaged_samples is the symbolic output of a RandomWeightedAverage layer, and
# K.gradients(y_pred, averaged_samples) returned [None] inside fit's step (TF 2.21: TypeError, a KerasTensor passed to a TF API).
from functools import partial

import numpy as np
import tf_keras as keras
from tf_keras import backend as K
from tf_keras import layers


class RandomWeightedAverage(layers.Layer):
    def call(self, inputs):
        alpha = K.random_uniform((K.shape(inputs[0])[0], 1))
        return (alpha * inputs[0]) + ((1 - alpha) * inputs[1])


def gradient_penalty_loss(y_true, y_pred, averaged_samples):
    gradients = K.gradients(y_pred, averaged_samples)[0]
    gradients_sqr = K.square(gradients)
    gradients_sqr_sum = K.sum(gradients_sqr, axis=1)
    gradient_l2_norm = K.sqrt(gradients_sqr_sum)
    return K.mean(K.square(1 - gradient_l2_norm))


def wasserstein_loss(y_true, y_pred):
    return K.mean(y_true * y_pred)


critic = keras.Sequential([keras.Input((4,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
generator = keras.Sequential([keras.Input((2,)), layers.Dense(16, activation="relu"), layers.Dense(4)])
generator.trainable = False

real_img = keras.Input(shape=(4,))
z_disc = keras.Input(shape=(2,))
fake_img = generator(z_disc)
fake = critic(fake_img)
valid = critic(real_img)
interpolated_img = RandomWeightedAverage()([real_img, fake_img])
validity_interpolated = critic(interpolated_img)
partial_gp_loss = partial(gradient_penalty_loss, averaged_samples=interpolated_img)
partial_gp_loss.__name__ = "gradient_penalty"

critic_model = keras.Model(inputs=[real_img, z_disc], outputs=[valid, fake, validity_interpolated])
critic_model.compile(loss=[wasserstein_loss, wasserstein_loss, partial_gp_loss], optimizer="rmsprop", loss_weights=[1, 1, 10])

imgs = np.random.rand(16, 4).astype("float32")
noise = np.random.rand(16, 2).astype("float32")
valid_y = -np.ones((16, 1), "float32")
fake_y = np.ones((16, 1), "float32")
dummy_y = np.zeros((16, 1), "float32")
critic_model.train_on_batch([imgs, noise], [valid_y, fake_y, dummy_y])
