# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG008@14
# source: https://github.com/keras-team/keras/issues/7246
# A Lambda layer turns the previous layer's float output into int32 (for a bitwise step) and back into float: the
# cast to an integer has no gradient, so every layer before the Lambda gets None and never trains (under fit only
# UserWarning: Gradients do not exist for variables; the layer after it learns).
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import Dense, Input, Lambda


def f(x):
    y = tf.cast(x, tf.int32)
    z = tf.cast(y, tf.float32)
    return z


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
