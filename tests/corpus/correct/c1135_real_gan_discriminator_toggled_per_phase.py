# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/ageron/handson-ml3/issues/252 (near-miss: each phase sets `trainable` for the
# model it trains, compiled once per setting; both the discriminator and the generator change)
import numpy as np
import tensorflow as tf

codings_size = 8
generator = tf.keras.Sequential([
    tf.keras.Input((codings_size,)),
    tf.keras.layers.Dense(16, activation="relu"),
    tf.keras.layers.Dense(12, activation="sigmoid"),
])
discriminator = tf.keras.Sequential([
    tf.keras.Input((12,)),
    tf.keras.layers.Dense(16, activation="relu"),
    tf.keras.layers.Dense(1, activation="sigmoid"),
])
gan = tf.keras.Sequential([generator, discriminator])

discriminator.compile(loss="binary_crossentropy", optimizer="rmsprop")
discriminator.trainable = False
gan.compile(loss="binary_crossentropy", optimizer="rmsprop")
discriminator.trainable = True

X_train = np.random.rand(64, 12).astype("float32")
batch_size = 16
dataset = tf.data.Dataset.from_tensor_slices(X_train).batch(batch_size, drop_remainder=True)


def train_gan(gan, dataset, batch_size, codings_size, n_epochs):
    generator, discriminator = gan.layers
    for epoch in range(n_epochs):
        for X_batch in dataset:
            # phase 1 - training the discriminator
            noise = tf.random.normal(shape=[batch_size, codings_size])
            generated_images = generator(noise)
            X_fake_and_real = tf.concat([generated_images, X_batch], axis=0)
            y1 = tf.constant([[0.0]] * batch_size + [[1.0]] * batch_size)
            discriminator.trainable = True
            discriminator.train_on_batch(X_fake_and_real, y1)
            # phase 2 - training the generator
            noise = tf.random.normal(shape=[batch_size, codings_size])
            y2 = tf.constant([[1.0]] * batch_size)
            discriminator.trainable = False
            gan.train_on_batch(noise, y2)


before = [w.numpy().copy() for w in discriminator.weights]
train_gan(gan, dataset, batch_size, codings_size, n_epochs=1)
changed = sum(np.abs(w.numpy() - b).sum() for w, b in zip(discriminator.weights, before))
RESULT = ["zero" if changed == 0 else "ok"]
