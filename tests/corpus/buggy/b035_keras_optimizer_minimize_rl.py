# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@20
# source: https://github.com/tensorflow/tensorflow/issues/27386
# An RL update written with Optimizer.minimize(loss, var_list=...), as the tf.optimizers.Optimizer docs of the
# time showed. The Keras optimizer has no minimize (TF 2.0-alpha then, Keras 3 in TF 2.21 again):
# AttributeError: 'Adam' object has no attribute 'minimize'.
import numpy as np
import tensorflow as tf

network = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(2)])
optim = tf.keras.optimizers.Adam()
states = np.random.rand(8, 4).astype("float32")
returns = np.random.rand(8, 2).astype("float32")


def loss():
    return tf.reduce_mean(tf.square(network(states) - returns))


optim.minimize(loss, var_list=network.trainable_variables)
RESULT = ["ok"]
