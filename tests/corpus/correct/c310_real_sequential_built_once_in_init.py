# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras-applications/issues/168 (corrected)
# The reporter's working version: the Bidirectional(LSTM) model is built once in __init__ and added as a layer.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import LSTM, Bidirectional, Dense
from tensorflow.keras.models import Sequential

keras.utils.set_random_seed(0)


class mymodel(object):
    def __init__(self):
        model = Sequential()
        # some layers like:
        cell = LSTM(8, return_sequences=True)
        layer = Bidirectional(cell)
        model.add(layer)
        self.model = Sequential()
        self.model.add(keras.Input((5, 3)))
        self.model.add(model)
        self.model.add(Dense(1))


model = mymodel().model
x = np.random.rand(8, 5, 3).astype("float32")
y = np.random.rand(8, 5, 1).astype("float32")
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
