# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras-io/issues/796 (corrected: the encoder and the sampler run inside the generator's tape)
# The keras.io GauGAN example's model with the encoder's forward pass and the latent sampling moved into
# `train_generator`'s tape: the KL term and the generator losses reach the encoder's weights, which train.
import numpy as np
import tensorflow as tf
import keras
from keras import layers

IMG, NUM_CLASSES, BATCH, LATENT = 12, 3, 8, 4


def build_encoder():
    image = keras.Input((IMG,))
    x = layers.Dense(16, activation="relu")(image)
    mean = layers.Dense(LATENT)(x)
    variance = layers.Dense(LATENT)(x)
    return keras.Model(image, [mean, variance], name="encoder")


def build_generator():
    latent = keras.Input((LATENT,))
    mask = keras.Input((NUM_CLASSES,))
    x = layers.Concatenate()([latent, mask])
    x = layers.Dense(16, activation="relu")(x)
    return keras.Model([latent, mask], layers.Dense(IMG, activation="tanh")(x), name="generator")


def build_discriminator():
    segmentation_map = keras.Input((NUM_CLASSES,))
    image = keras.Input((IMG,))
    x = layers.Concatenate()([segmentation_map, image])
    features = layers.Dense(8, activation="relu")(x)
    return keras.Model([segmentation_map, image], [features, layers.Dense(1)(features)], name="discriminator")


class GaussianSampler(layers.Layer):
    def call(self, inputs):
        means, variance = inputs
        epsilon = tf.random.normal(shape=(BATCH, LATENT))
        return means + tf.exp(0.5 * variance) * epsilon


def kl_divergence_loss(mean, variance):
    return -0.5 * tf.reduce_sum(1 + variance - tf.square(mean) - tf.exp(variance))


class GauGAN(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.discriminator = build_discriminator()
        self.generator = build_generator()
        self.encoder = build_encoder()
        self.sampler = GaussianSampler()
        self.discriminator.trainable = False
        latent_input = keras.Input((LATENT,))
        mask_input = keras.Input((NUM_CLASSES,))
        generated_image = self.generator([latent_input, mask_input])
        discriminator_output = self.discriminator([mask_input, generated_image])
        self.combined_model = keras.Model([latent_input, mask_input], [discriminator_output, generated_image])
        self.generator_optimizer = keras.optimizers.Adam(1e-2)
        self.discriminator_optimizer = keras.optimizers.Adam(1e-2)

    def train_discriminator(self, latent_vector, segmentation_map, real_image, labels):
        fake_images = self.generator([latent_vector, labels])
        with tf.GradientTape() as gradient_tape:
            pred_fake = self.discriminator([segmentation_map, fake_images])[-1]
            pred_real = self.discriminator([segmentation_map, real_image])[-1]
            total_loss = tf.reduce_mean(tf.nn.relu(1.0 + pred_fake)) + tf.reduce_mean(tf.nn.relu(1.0 - pred_real))
        self.discriminator.trainable = True
        gradients = gradient_tape.gradient(total_loss, self.discriminator.trainable_variables)
        self.discriminator_optimizer.apply_gradients(zip(gradients, self.discriminator.trainable_variables))
        return total_loss

    def train_generator(self, segmentation_map, labels, image):
        self.discriminator.trainable = False
        with tf.GradientTape() as tape:
            mean, variance = self.encoder(image)
            latent_vector = self.sampler([mean, variance])
            real_d_output = self.discriminator([segmentation_map, image])
            fake_d_output, fake_image = self.combined_model([latent_vector, labels])
            g_loss = -tf.reduce_mean(fake_d_output[-1])
            kl_loss = 0.1 * kl_divergence_loss(mean, variance)
            feature_loss = tf.reduce_mean(tf.abs(real_d_output[0] - fake_d_output[0]))
            total_loss = g_loss + kl_loss + feature_loss
        all_trainable_variables = self.combined_model.trainable_variables + self.encoder.trainable_variables
        gradients = tape.gradient(total_loss, all_trainable_variables)
        self.generator_optimizer.apply_gradients(zip(gradients, all_trainable_variables))
        return total_loss

    def train_step(self, data):
        segmentation_map, image, labels = data
        mean, variance = self.encoder(image)
        latent_vector = self.sampler([mean, variance])
        d_loss = self.train_discriminator(latent_vector, segmentation_map, image, labels)
        g_loss = self.train_generator(segmentation_map, labels, image)
        return {"disc_loss": d_loss, "gen_loss": g_loss}

    def call(self, inputs):
        latent_vectors, labels = inputs
        return self.generator([latent_vectors, labels])


rng = np.random.default_rng(0)
masks = np.eye(NUM_CLASSES, dtype="float32")[rng.integers(0, NUM_CLASSES, 32)]
images = rng.uniform(-1, 1, (32, IMG)).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices((masks, images, masks)).batch(BATCH, drop_remainder=True)

gaugan = GauGAN()
gaugan.compile()
before = [v.numpy().copy() for v in gaugan.encoder.trainable_variables]
gaugan.fit(dataset, epochs=1, verbose=0)
after = [v.numpy() for v in gaugan.encoder.trainable_variables]
RESULT = gradient_status([tf.constant(a - b) for a, b in zip(after, before)])
