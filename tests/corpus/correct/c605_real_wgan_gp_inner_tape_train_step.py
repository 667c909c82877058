# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/36436 (corrected)
# The gradient penalty is computed in the critic's training step with an inner tape that watches the
# interpolated batch (a real tensor of the step), nested in the tape of the critic's weights.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

critic = keras.Sequential([keras.Input((4,)), layers.Dense(16, activation="relu"), layers.Dense(1)])
generator = keras.Sequential([keras.Input((2,)), layers.Dense(16, activation="relu"), layers.Dense(4)])
d_optimizer = keras.optimizers.RMSprop(1e-4)


def gradient_penalty(real_img, fake_img):
    alpha = tf.random.uniform((tf.shape(real_img)[0], 1))
    interpolated = alpha * real_img + (1 - alpha) * fake_img
    with tf.GradientTape() as gp_tape:
        gp_tape.watch(interpolated)
        pred = critic(interpolated, training=True)
    grads = gp_tape.gradient(pred, [interpolated])[0]
    norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=1))
    return tf.reduce_mean(tf.square(1.0 - norm))


@tf.function
def critic_step(imgs, noise):
    fake_img = generator(noise, training=False)
    with tf.GradientTape() as tape:
        d_loss = tf.reduce_mean(critic(fake_img, training=True)) - tf.reduce_mean(critic(imgs, training=True))
        d_loss = d_loss + 10.0 * gradient_penalty(imgs, fake_img)
    grads = tape.gradient(d_loss, critic.trainable_variables)
    d_optimizer.apply_gradients(zip(grads, critic.trainable_variables))
    return grads


imgs = np.random.rand(16, 4).astype("float32")
noise = np.random.rand(16, 2).astype("float32")
critic_step(imgs, noise)
grads = critic_step(imgs, noise)
# The critic's output bias cancels in the Wasserstein difference (its gradient is exactly 0 by construction and
# the penalty does not depend on it): the hidden layer's kernel and bias and the output kernel are checked.
RESULT = gradient_status(grads[:3])
