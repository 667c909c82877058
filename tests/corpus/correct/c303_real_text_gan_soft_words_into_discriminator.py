# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/17444 (corrected)
# The discriminator reads the generator's word distribution itself (a soft one-hot times its embedding
# matrix) instead of an argmax index, so the generator's gradients flow through it.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

keras.utils.set_random_seed(0)
total_words = 50
max_sequence_length = 8

generator = keras.Sequential(
    [
        keras.Input((max_sequence_length - 1,)),
        layers.Embedding(total_words, 16),
        layers.LSTM(16),
        layers.Dense(total_words, activation="softmax"),
    ],
    name="generator",
)
discriminator = keras.Sequential(
    [keras.Input((max_sequence_length - 1, total_words)), layers.Dense(16), layers.LSTM(8), layers.Dense(1, activation="sigmoid")],
    name="discriminator",
)
cross_entropy = keras.losses.BinaryCrossentropy()
generator_optimizer = keras.optimizers.Adam(1e-3)
text = np.random.randint(1, total_words, size=(4, max_sequence_length - 1))

with tf.GradientTape() as gen_tape:
    predicted_next_word = generator(text, training=True)
    context = tf.one_hot(text[:, 1:], total_words)
    fake_sequence = tf.concat([context, predicted_next_word[:, None, :]], axis=1)
    fake_output = discriminator(fake_sequence, training=True)
    gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
RESULT = gradient_status(gradients_of_generator)
