# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@27
# source: https://github.com/tensorflow/tensorflow/issues/36436
# Conditional WGAN-GP in the Keras 2 style: the gradient penalty is a compiled loss, a partial() of a function
# that differentiates the critic's score with respect to `averaged_samples`, the symbolic output of a
# RandomWeightedAverage layer. The loss runs inside fit's step, where that KerasTensor is not a tensor of the
# step (Keras 2: K.gradients returned None; Keras 3: the symbolic tensor cannot be used there).
from functools import partial

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers


class RandomWeightedAverage(layers.Layer):
    def call(self, inputs):
        alpha = tf.random.uniform((tf.shape(inputs[0])[0], 1))
        return alpha * inputs[0] + (1 - alpha) * inputs[1]


def wasserstein_loss(y_true, y_pred):
    return tf.reduce_mean(y_true * y_pred)


def gradient_penalty_loss(y_true, y_pred, averaged_samples):
    gradients = tf.gradients(y_pred, averaged_samples)[0]
    gradients_sqr_sum = tf.reduce_sum(tf.square(gradients), axis=1)
    gradient_l2_norm = tf.sqrt(gradients_sqr_sum)
    return tf.reduce_mean(tf.square(1 - gradient_l2_norm))


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
