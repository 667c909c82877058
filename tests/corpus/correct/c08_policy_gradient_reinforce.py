# gradls-fixture: tf-verdict=ok
# gradls-expect:
# REINFORCE policy gradient: actions sampled outside the gradient path, discounted returns computed in NumPy.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
N_ACTIONS = 3
GAMMA = 0.99

policy = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="tanh"), keras.layers.Dense(N_ACTIONS)])
optimizer = keras.optimizers.Adam(1e-2)


def discounted_returns(rewards, gamma=GAMMA):
    out = np.zeros_like(rewards, dtype=np.float32)
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        out[t] = running
    return (out - out.mean()) / (out.std() + 1e-8)


states = np.random.randn(6, 4).astype(np.float32)
logits = policy(states)
actions = tf.squeeze(tf.random.categorical(logits, 1), axis=1).numpy()
rewards = np.random.rand(6).astype(np.float32)
returns = discounted_returns(rewards)

with tf.GradientTape() as tape:
    logits = policy(states, training=True)
    neg_log_prob = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=actions, logits=logits)
    loss = tf.reduce_mean(neg_log_prob * returns)
grads = tape.gradient(loss, policy.trainable_variables)
optimizer.apply_gradients(zip(grads, policy.trainable_variables))
RESULT = gradient_status(grads)
