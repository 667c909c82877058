# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@41
# source: https://github.com/keras-team/keras/issues/17444
# Text GAN: the generator's next-word distribution is turned into a word index with np.argmax and padded with
# pad_sequences before the discriminator sees it. NumPy cuts the tape: every generator gradient is None and
# apply_gradients raises ValueError: No gradients provided for any variable.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers
from tensorflow.keras.utils import pad_sequences

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
    [
        keras.Input((max_sequence_length - 1,)),
        layers.Embedding(total_words, 16),
        layers.LSTM(8),
        layers.Dense(1, activation="sigmoid"),
    ],
    name="discriminator",
)
cross_entropy = keras.losses.BinaryCrossentropy()
generator_optimizer = keras.optimizers.Adam(1e-3)
text = np.random.randint(1, total_words, size=(4, max_sequence_length - 1))

with tf.GradientTape() as gen_tape:
    predicted_next_word = generator(text, training=True)
    next_words = np.argmax(predicted_next_word, axis=1)
    pred_to_word = pad_sequences([list(t[1:]) + [w] for t, w in zip(text, next_words)], maxlen=max_sequence_length - 1)
    fake_output = discriminator(pred_to_word, training=True)
    gen_loss = cross_entropy(tf.ones_like(fake_output), fake_output)
gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
RESULT = gradient_status(gradients_of_generator)
