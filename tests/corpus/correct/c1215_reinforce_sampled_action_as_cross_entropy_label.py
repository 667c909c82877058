# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on reinforcement-learning usage (REINFORCE)
# The sampled action is only the label of a cross-entropy on the logits: the policy gets its gradient.
import numpy as np
import tensorflow as tf

policy = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(3)])
opt = tf.keras.optimizers.Adam(1e-2)
obs = np.random.randn(32, 4).astype("float32")
returns = np.random.randn(32).astype("float32")
with tf.GradientTape() as tape:
    logits = policy(obs)
    actions = tf.random.categorical(logits, 1)[:, 0]
    neg_logp = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=actions, logits=logits)
    loss = tf.reduce_mean(neg_logp * returns)
grads = tape.gradient(loss, policy.trainable_variables)
opt.apply_gradients(zip(grads, policy.trainable_variables))
RESULT = gradient_status(grads)
