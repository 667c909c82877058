# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/11157 (corrected)
# The decoder reads the encoder's softmax probabilities instead of their argmax, so the embedding, LSTM and
# encoder weights are trained too.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import LSTM, Dense, Embedding, Input
from tensorflow.keras.models import Model

tf.random.set_seed(0)
vocabulary, steps, latent_dim = 12, 6, 8
train_data = np.random.RandomState(0).randint(0, vocabulary, size=(16, steps))
train_label = np.random.RandomState(1).randint(0, vocabulary, size=(16, steps))

encoder_inputs = Input(shape=(train_data.shape[1],))
encoder_dense = Dense(vocabulary, activation="softmax")
encoder_outputs = Embedding(vocabulary, latent_dim)(encoder_inputs)
encoder_outputs = LSTM(latent_dim, return_sequences=True)(encoder_outputs)
encoder_outputs = encoder_dense(encoder_outputs)
decoder_outputs = Dense(vocabulary, activation="softmax")(encoder_outputs)
model = Model(encoder_inputs, decoder_outputs)

with tf.GradientTape() as tape:
    pred = model(train_data, training=True)
    loss = tf.reduce_mean(tf.keras.losses.sparse_categorical_crossentropy(train_label, pred))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
