# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/40631 (corrected: the target rows are built with
# one_hot masks from the bootstrapped values, no tf.Variable inside the tf.function)
import numpy as np
import tensorflow as tf

keras = tf.keras
keras.utils.set_random_seed(0)
n_actions = 3
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(n_actions)])
optimizer = keras.optimizers.Adam(1e-3)
gamma = 0.9


@tf.function
def train(states, actions, rewards, newStates):
    with tf.GradientTape() as tape:
        Q = model(states)
        QNext = model(newStates)
        newVal = rewards + gamma * tf.reduce_max(QNext, axis=1)
        mask = tf.one_hot(actions, n_actions)
        target = tf.stop_gradient(Q * (1.0 - mask) + mask * newVal[:, None])
        loss = tf.reduce_mean(tf.square(target - Q))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return grads


states = tf.constant(np.random.rand(4, 4), tf.float32)
newStates = tf.constant(np.random.rand(4, 4), tf.float32)
actions = tf.constant([0, 1, 2, 1])
rewards = tf.constant([1.0, 0.0, 1.0, 0.5])
RESULT = gradient_status(train(states, actions, rewards, newStates))
