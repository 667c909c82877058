"""A GAN trained eagerly with two optimizers and a gradient penalty (an inner tape): one training
step = a discriminator update and a generator update. argv[1]: where the completed steps go."""

import sys

import keras
import tensorflow as tf

generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
d_opt = keras.optimizers.Adam(1e-3, name="d_opt")
g_opt = keras.optimizers.Adam(1e-3, name="g_opt")
real = tf.random.normal((8, 2), seed=1)
completed = 0
try:
    for step in range(100):
        noise = tf.random.normal((8, 2), seed=step)
        with tf.GradientTape() as d_tape:
            fake = generator(noise)
            with tf.GradientTape() as gp_tape:
                gp_tape.watch(fake)
                critic = discriminator(fake)
            slope = gp_tape.gradient(critic, fake)  # CASE: penalty
            d_loss = tf.reduce_mean(tf.nn.softplus(discriminator(fake)) + tf.nn.softplus(-discriminator(real)))
            d_loss += tf.reduce_mean((tf.norm(slope, axis=1) - 1.0) ** 2)
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)  # CASE: d grad
        d_opt.apply_gradients(zip(d_grads, discriminator.trainable_variables))
        with tf.GradientTape() as g_tape:
            g_loss = tf.reduce_mean(tf.nn.softplus(-discriminator(generator(noise))))
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)  # CASE: g grad
        g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))
        completed += 1
finally:
    with open(sys.argv[1], "w") as fh:
        fh.write("%d\n" % completed)
