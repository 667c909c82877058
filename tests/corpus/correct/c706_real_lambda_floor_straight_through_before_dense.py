# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/7246 (corrected)
# The rounding stays in the forward pass with a straight-through gradient (x + stop_gradient(floor(x) - x)): the
# layer before the Lambda trains.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import Dense, Input, Lambda


def f(x):
    return x + tf.stop_gradient(tf.floor(x) - x)


inp = Input(shape=(8,))
y1 = Dense(16, activation="relu", name="before")(inp)
y = Lambda(f)(y1)
out = Dense(1, name="after")(y)
model = keras.Model(inp, out)
x = np.random.rand(64, 8).astype("float32") * 10
t = np.random.rand(64, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - t))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
