# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@44
# source: modelled on GAN usage (the keras.io GAN subclass train_step, edited)
# Images are generated once before both tapes: the discriminator step is fine (it runs the discriminator in its
# tape), but the generator step's loss reads only those images, so every generator gradient is None and Adam
# raises `No gradients provided for any variable` under fit (TF 2.21).
import numpy as np
import tensorflow as tf
from tensorflow import keras

latent_dim = 16
discriminator = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
generator = keras.Sequential([keras.Input((latent_dim,)), keras.layers.Dense(28 * 28, activation="sigmoid"),
                              keras.layers.Reshape((28, 28, 1))])


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        batch_size = tf.shape(real_images)[0]
        z = tf.random.normal(shape=(batch_size, self.latent_dim))
        generated_images = self.generator(z)
        combined = tf.concat([generated_images, real_images], axis=0)
        labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((batch_size, 1))], axis=0)
        with tf.GradientTape() as tape:
            d_loss = self.loss_fn(labels, self.discriminator(combined))
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        misleading_labels = tf.zeros((batch_size, 1))
        with tf.GradientTape() as tape:
            g_loss = self.loss_fn(misleading_labels, self.discriminator(generated_images))
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        return {"d_loss": d_loss, "g_loss": g_loss}


gan = GAN(discriminator, generator, latent_dim)
gan.compile(keras.optimizers.Adam(3e-4), keras.optimizers.Adam(3e-4), keras.losses.BinaryCrossentropy(from_logits=True))
gan.fit(np.random.rand(64, 28, 28, 1).astype("float32"), epochs=1, batch_size=32, verbose=2)
