# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/5521
# corrected: train on the sigmoid probabilities; FloorSampling runs only on predictions, outside training.
import numpy as np
import tensorflow as tf
from tensorflow.keras import Sequential
from tensorflow.keras.layers import Dense, Input


def FloorSampling(x):
    return tf.floor(x + tf.random.uniform(tf.shape(x), 0, 1))


tf.keras.utils.set_random_seed(0)
model = Sequential([Input((8,)), Dense(16, activation="relu"), Dense(88, activation="sigmoid")])
x = np.random.randn(8, 8).astype("float32")
y = (np.random.rand(8, 88) > 0.5).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.keras.losses.binary_crossentropy(y, model(x)))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
keys = FloorSampling(model(x))
