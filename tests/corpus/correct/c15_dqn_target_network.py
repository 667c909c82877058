# gradls-fixture: tf-verdict=ok
# gradls-expect:
# DQN update: targets from a frozen target network behind tf.stop_gradient, argmax for action selection.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
N_ACTIONS, GAMMA = 3, 0.9


def make_q():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(N_ACTIONS)])


q_net = make_q()
target_net = make_q()
target_net.set_weights(q_net.get_weights())
optimizer = keras.optimizers.Adam(1e-3)

states = tf.random.normal((8, 4))
next_states = tf.random.normal((8, 4))
actions = tf.constant(np.random.randint(0, N_ACTIONS, size=8))
rewards = tf.random.uniform((8,))
dones = tf.cast(tf.random.uniform((8,)) > 0.8, tf.float32)


@tf.function
def dqn_step(states, actions, rewards, next_states, dones):
    next_q = target_net(next_states)
    best_next = tf.argmax(next_q, axis=1)
    target_q = rewards + GAMMA * (1.0 - dones) * tf.gather(next_q, best_next, batch_dims=1)
    target_q = tf.stop_gradient(target_q)
    with tf.GradientTape() as tape:
        q_values = q_net(states, training=True)
        q_taken = tf.reduce_sum(q_values * tf.one_hot(actions, N_ACTIONS), axis=1)
        loss = keras.losses.Huber()(target_q, q_taken)
    grads = tape.gradient(loss, q_net.trainable_variables)
    optimizer.apply_gradients(zip(grads, q_net.trainable_variables))
    return grads


grads = dqn_step(states, actions, rewards, next_states, dones)
for t, s in zip(target_net.trainable_variables, q_net.trainable_variables):
    t.assign(0.99 * t + 0.01 * s)
RESULT = gradient_status(grads)
