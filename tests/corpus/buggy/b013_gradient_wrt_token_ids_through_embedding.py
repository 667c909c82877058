# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG013@23
# source: https://github.com/hiranumn/IntegratedGradients/issues/5
# Integrated gradients on a text classifier: the gradient of the prediction is taken with respect to the model
# input, which is the integer word ids fed to an Embedding layer (the report's K.gradients, here with a tape).
# Integer tensors carry no gradient: TF warns that the watched tensor must be floating and returns None.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
vocab, maxlen = 100, 12
model = keras.Sequential(
    [
        keras.Input((maxlen,), dtype="int32"),
        keras.layers.Embedding(vocab, 16),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
)
sample = np.random.randint(1, vocab, size=(1, maxlen))

word_ids = tf.constant(sample, dtype=tf.int32)
with tf.GradientTape() as tape:
    tape.watch(word_ids)
    prediction = model(word_ids)
grads = tape.gradient(prediction, word_ids)
RESULT = gradient_status([grads])
