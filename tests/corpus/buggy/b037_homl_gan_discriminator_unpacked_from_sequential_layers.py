# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG037@42
# source: https://github.com/ageron/handson-ml3/issues/252
# Hands-On ML 3rd ed., chapter 17, the simple GAN: the discriminator is compiled, made non-trainable before the
# combined gan model is compiled, and both are trained with train_on_batch in a custom loop. Under Keras 3 the
# reporter gets "UserWarning: The model does not have any trainable weights" and the GAN does not learn.
# Keras 3 reads `trainable` at every step: the discriminator's weights never change (RESULT).
import numpy as np
import tensorflow as tf

codings_size = 8
Dense = tf.keras.layers.Dense
generator = tf.keras.Sequential([
    Dense(16, activation="relu", kernel_initializer="he_normal"),
    Dense(28, activation="sigmoid"),
])
discriminator = tf.keras.Sequential([
    Dense(16, activation="relu", kernel_initializer="he_normal"),
    Dense(1, activation="sigmoid"),
])
gan = tf.keras.Sequential([generator, discriminator])

discriminator.compile(loss="binary_crossentropy", optimizer="rmsprop")
discriminator.trainable = False
gan.compile(loss="binary_crossentropy", optimizer="rmsprop")

batch_size = 8
X_train = np.random.rand(32, 28).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices(X_train).shuffle(32)
dataset = dataset.batch(batch_size, drop_remainder=True).prefetch(1)


def train_gan(gan, dataset, batch_size, codings_size, n_epochs):
    generator, discriminator = gan.layers
    for epoch in range(n_epochs):
        for X_batch in dataset:
            # phase 1 - training the discriminator
            noise = tf.random.normal(shape=[batch_size, codings_size])
            generated_images = generator(noise)
            X_fake_and_real = tf.concat([generated_images, X_batch], axis=0)
            y1 = tf.constant([[0.0]] * batch_size + [[1.0]] * batch_size)
            discriminator.train_on_batch(X_fake_and_real, y1)
            # phase 2 - training the generator
            noise = tf.random.normal(shape=[batch_size, codings_size])
            y2 = tf.constant([[1.0]] * batch_size)
            gan.train_on_batch(noise, y2)


gan.build((None, codings_size))
before = [w.numpy().copy() for w in discriminator.weights]
train_gan(gan, dataset, batch_size, codings_size, n_epochs=2)
changed = sum(np.abs(w.numpy() - b).sum() for w, b in zip(discriminator.weights, before))
RESULT = ["zero" if changed == 0 else "ok"]
