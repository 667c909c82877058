# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG001@14
# np.square on the model output inside the tape: the loss becomes a constant, every gradient is None.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))

with tf.GradientTape() as tape:
    pred = model(x, training=True)
    loss = tf.reduce_mean(np.square(pred - y))  # BUG
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
