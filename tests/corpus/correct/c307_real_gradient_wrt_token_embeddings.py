# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/hiranumn/IntegratedGradients/issues/5 (corrected)
# The answer in the thread: differentiate with respect to the word vectors, the Embedding layer's output.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
vocab, maxlen = 100, 12
embedding = keras.layers.Embedding(vocab, 16)
head = keras.Sequential([keras.Input((maxlen, 16)), keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1, activation="sigmoid")])
sample = np.random.randint(1, vocab, size=(1, maxlen))

word_vectors = embedding(tf.constant(sample, dtype=tf.int32))
with tf.GradientTape() as tape:
    tape.watch(word_vectors)
    prediction = head(word_vectors)
grads = tape.gradient(prediction, word_vectors)
RESULT = gradient_status([grads])
