# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG026@30
# A GAN whose generator loss helper (a method of the base class) scores the real batch instead of the generated
# one: the generator never runs on the way to its loss, so every generator gradient is None.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class GANBase(keras.Model):
    def critic_score(self, images):
        return tf.reduce_mean(self.discriminator(images, training=True))


class GAN(GANBase):
    def __init__(self, latent_dim):
        super().__init__()
        self.latent_dim = latent_dim
        self.generator = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(8)])
        self.discriminator = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
        self.g_optimizer = keras.optimizers.Adam(1e-3)

    def generator_step(self, real):
        z = tf.random.normal((tf.shape(real)[0], self.latent_dim))
        fake = self.generator(z, training=True)
        tf.debugging.assert_all_finite(fake, "generator output")
        with tf.GradientTape() as tape:
            g_loss = -self.critic_score(real)
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        return grads


gan = GAN(latent_dim=4)
gan.generator.build((None, 4))
gan.discriminator.build((None, 8))
grads = gan.generator_step(tf.random.normal((16, 8)))
RESULT = gradient_status(grads)
