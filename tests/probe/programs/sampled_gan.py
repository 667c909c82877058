"""A GAN trained in one tf.function per step, for many steps: two optimizers, a gradient penalty
(an inner tape) and a generator update that masks non-finite gradients. The discriminator's
`unused_scale` never reaches its loss (None at every step); the generator's loss is NaN at step 43
only (an unsampled step when probed for 50 steps). argv[1]: where the completed steps go."""

import sys

import keras
import tensorflow as tf

generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
discriminator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
discriminator.build((None, 2))
unused_scale = tf.Variable(1.0, name="unused_scale")
d_vars = discriminator.trainable_variables + [unused_scale]
d_opt = keras.optimizers.Adam(1e-3, name="d_opt")
g_opt = keras.optimizers.Adam(1e-3, name="g_opt")
real = tf.random.stateless_normal((8, 2), seed=(1, 2))


@tf.function
def train_step(step):
    noise = tf.random.stateless_normal((8, 2), seed=tf.stack([step, 0]))
    with tf.GradientTape() as d_tape:
        fake = generator(noise)
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(fake)
            critic = discriminator(fake)
        slope = gp_tape.gradient(critic, fake)  # CASE: penalty
        d_loss = tf.reduce_mean(tf.nn.softplus(discriminator(fake)) + tf.nn.softplus(-discriminator(real)))
        d_loss += tf.reduce_mean((tf.norm(slope + 1e-6, axis=1) - 1.0) ** 2)
    d_grads = d_tape.gradient(d_loss, d_vars)  # CASE: d grad
    d_opt.apply_gradients(zip(d_grads, d_vars))
    with tf.GradientTape() as g_tape:
        poison = tf.where(tf.equal(step, 43), float("nan"), 1.0)
        g_loss = tf.reduce_mean(tf.nn.softplus(-discriminator(generator(noise)))) * poison
    g_grads = g_tape.gradient(g_loss, generator.trainable_variables)  # CASE: g grad
    g_grads = [tf.where(tf.math.is_finite(g), g, 0.0) for g in g_grads]
    g_opt.apply_gradients(zip(g_grads, generator.trainable_variables))  # CASE: g apply


completed = 0
try:
    for step in range(1, 201):
        train_step(tf.constant(step))
        completed += 1
finally:
    with open(sys.argv[1], "w") as fh:
        fh.write("%d\n" % completed)
