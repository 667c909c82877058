# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on reinforcement-learning usage (DQN without a target network)
# The bootstrapped target from the online network is wrapped in tf.stop_gradient: only the target is cut, the
# Q-values of the taken actions still carry every gradient.
import numpy as np
import tensorflow as tf

obs_dim, n_actions, gamma = 4, 2, 0.9
q = tf.keras.Sequential([tf.keras.Input((obs_dim,)), tf.keras.layers.Dense(32, activation="relu"),
                         tf.keras.layers.Dense(n_actions)])
opt = tf.keras.optimizers.Adam(1e-3)
s = np.random.randn(64, obs_dim).astype("float32")
a = np.random.randint(0, n_actions, 64)
r = np.random.randn(64).astype("float32")
s2 = np.random.randn(64, obs_dim).astype("float32")

for it in range(3):
    with tf.GradientTape() as tape:
        q_next = q(s2)
        target = tf.stop_gradient(r + gamma * tf.reduce_max(q_next, axis=1))
        q_sa = tf.gather(q(s), a, axis=1, batch_dims=1)
        loss = tf.reduce_mean(tf.square(target - q_sa))
    grads = tape.gradient(loss, q.trainable_variables)
    opt.apply_gradients(zip(grads, q.trainable_variables))
    print(it, float(loss))
RESULT = gradient_status(grads)
