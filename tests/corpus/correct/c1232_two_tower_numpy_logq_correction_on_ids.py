# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on two-tower retrieval usage (in-batch softmax with logQ correction)
# NumPy computes the logQ correction from item ids and the labels only; the logits stay tensors of both towers.
import numpy as np
import tensorflow as tf
from tensorflow import keras

n_users, n_items, dim = 100, 300, 16
user_tower = keras.Sequential([keras.layers.Embedding(n_users, 32), keras.layers.Dense(dim)])
item_tower = keras.Sequential([keras.layers.Embedding(n_items, 32), keras.layers.Dense(dim)])
opt = keras.optimizers.Adam(1e-3)
users = np.random.randint(0, n_users, 2048)
items = np.random.randint(0, n_items, 2048)
item_freq = np.bincount(items, minlength=n_items) / len(items)

for step in range(8):
    idx = np.random.choice(len(users), 128)
    u_ids, i_ids = users[idx], items[idx]
    log_q = np.log(item_freq[i_ids] + 1e-9).astype("float32")  # logQ correction, numpy on ids only
    labels = np.arange(len(idx))
    with tf.GradientTape() as tape:
        u = tf.math.l2_normalize(user_tower(u_ids), 1)
        v = tf.math.l2_normalize(item_tower(i_ids), 1)
        logits = tf.matmul(u, v, transpose_b=True) / 0.05 - log_q[None, :]
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
    variables = user_tower.trainable_variables + item_tower.trainable_variables
    grads = tape.gradient(loss, variables)
    opt.apply_gradients(zip(grads, variables))
    top = np.argsort(-logits.numpy(), axis=1)[:, :5]
    print(step, float(loss), (top[:, 0] == labels).mean())
RESULT = gradient_status(grads)
