# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27386 (corrected)
# The same update with a tape and apply_gradients.
import numpy as np
import tensorflow as tf

network = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(2)])
optim = tf.keras.optimizers.Adam()
states = np.random.rand(8, 4).astype("float32")
returns = np.random.rand(8, 2).astype("float32")


def loss():
    return tf.reduce_mean(tf.square(network(states) - returns))


with tf.GradientTape() as tape:
    value = loss()
grads = tape.gradient(value, network.trainable_variables)
optim.apply_gradients(zip(grads, network.trainable_variables))
RESULT = gradient_status(grads)
