# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@18
# source: https://github.com/tensorflow/tensorflow/issues/26098
# DDPG actor update written for TF 1 Keras: optimizer.get_updates(params=actor.trainable_weights, loss=...)
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

state_in = layers.Input((4,))
actor = tf.keras.Model(state_in, layers.Dense(2, activation="tanh")(layers.Dense(16, activation="relu")(state_in)))
s_in = layers.Input((4,))
a_in = layers.Input((2,))
critic = tf.keras.Model([s_in, a_in], layers.Dense(1)(layers.Dense(16, activation="relu")(layers.Concatenate()([s_in, a_in]))))

optimizer_actor = tf.keras.optimizers.Adam(1e-3)
states = tf.constant(np.random.rand(8, 4), tf.float32)
loss = -tf.reduce_mean(critic([states, actor(states)]))
actor_updates = optimizer_actor.get_updates(params=actor.trainable_weights, loss=loss)
print("ran", actor_updates)
