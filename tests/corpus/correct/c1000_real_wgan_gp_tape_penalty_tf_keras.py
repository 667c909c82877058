# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/eriklindernoren/Keras-GAN/issues/215 (corrected: the penalty is taken with a
# GradientTape in the critic's training step, on interpolates made there)
import numpy as np
import tensorflow as tf
import tf_keras as keras
from tf_keras import layers

critic = keras.Sequential([keras.Input((4,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
generator = keras.Sequential([keras.Input((2,)), layers.Dense(16, activation="relu"), layers.Dense(4)])
optimizer = keras.optimizers.RMSprop(1e-4)


def critic_step(imgs, noise):
    fake_img = generator(noise)
    alpha = tf.random.uniform((imgs.shape[0], 1))
    interpolated = alpha * imgs + (1 - alpha) * fake_img
    with tf.GradientTape() as tape:
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            validity_interpolated = critic(interpolated)
        gradients = gp_tape.gradient(validity_interpolated, interpolated)
        gradient_l2_norm = tf.sqrt(tf.reduce_sum(tf.square(gradients), axis=1))
        gradient_penalty = tf.reduce_mean(tf.square(1 - gradient_l2_norm))
        loss = tf.reduce_mean(critic(fake_img)) - tf.reduce_mean(critic(imgs)) + 10 * gradient_penalty
    grads = tape.gradient(loss, critic.trainable_variables)
    optimizer.apply_gradients(zip(grads, critic.trainable_variables))
    return grads


imgs = tf.constant(np.random.rand(16, 4), tf.float32)
noise = tf.constant(np.random.rand(16, 2), tf.float32)
# The output bias cancels between the real and fake scores and the penalty does not read it: its gradient is 0.
RESULT = gradient_status(critic_step(imgs, noise)[:-1])
