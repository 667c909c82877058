# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/26098 (corrected: tape + apply_gradients on the actor only)
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
before = [w.numpy().copy() for w in actor.trainable_weights]
with tf.GradientTape() as tape:
    loss = -tf.reduce_mean(critic([states, actor(states)]))
grads = tape.gradient(loss, actor.trainable_weights)
assert all(g is not None for g in grads)
optimizer_actor.apply_gradients(zip(grads, actor.trainable_weights))
assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, actor.trainable_weights))
print("trained")
RESULT = gradient_status(grads)
