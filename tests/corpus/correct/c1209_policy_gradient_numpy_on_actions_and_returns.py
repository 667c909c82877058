# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on reinforcement-learning usage (REINFORCE)
# NumPy builds the one-hot actions and normalised returns from data; the policy's output stays a tensor.
import numpy as np
import tensorflow as tf

n_act = 3
policy = tf.keras.Sequential([tf.keras.Input((5,)), tf.keras.layers.Dense(16, activation="relu"),
                              tf.keras.layers.Dense(n_act)])
opt = tf.keras.optimizers.Adam(1e-2)
for ep in range(3):
    obs = np.random.randn(32, 5).astype("float32")
    actions = np.random.randint(0, n_act, 32)
    rewards = np.random.randn(32).astype("float32")
    returns = (rewards - rewards.mean()) / (rewards.std() + 1e-8)
    onehot = np.eye(n_act, dtype="float32")[actions]
    with tf.GradientTape() as tape:
        logp = tf.nn.log_softmax(policy(obs))
        loss = -tf.reduce_mean(tf.reduce_sum(logp * onehot, axis=1) * returns)
    grads = tape.gradient(loss, policy.trainable_variables)
    opt.apply_gradients(zip(grads, policy.trainable_variables))
    print(ep, float(loss))
RESULT = gradient_status(grads)
