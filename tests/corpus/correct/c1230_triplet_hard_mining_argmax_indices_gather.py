# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on metric-learning usage (batch-hard triplet loss)
# argmax/argmin only pick the hardest positive and negative indices; tf.gather of the embeddings at those
# indices is differentiable, so every weight gets a gradient.
import numpy as np
import tensorflow as tf
from tensorflow import keras

net = keras.Sequential([keras.layers.Dense(64, activation="relu"), keras.layers.Dense(16)])
opt = keras.optimizers.Adam(1e-3)
x = np.random.randn(128, 20).astype("float32")
y = np.random.randint(0, 8, 128)


def hardest_triplet_loss(labels, emb, margin=0.3):
    emb = tf.math.l2_normalize(emb, axis=1)
    d = 2.0 - 2.0 * tf.matmul(emb, emb, transpose_b=True)
    same = tf.cast(tf.equal(labels[:, None], labels[None, :]), tf.float32)
    hardest_pos = tf.argmax(d * same, axis=1)
    hardest_neg = tf.argmin(d + 4.0 * same, axis=1)
    pos = tf.gather(emb, hardest_pos)
    neg = tf.gather(emb, hardest_neg)
    dp = tf.reduce_sum(tf.square(emb - pos), 1)
    dn = tf.reduce_sum(tf.square(emb - neg), 1)
    return tf.reduce_mean(tf.nn.relu(dp - dn + margin))


for step in range(5):
    with tf.GradientTape() as tape:
        loss = hardest_triplet_loss(tf.constant(y), net(x))
    grads = tape.gradient(loss, net.trainable_variables)
    print(step, float(loss), [g is None for g in grads])
    opt.apply_gradients(zip(grads, net.trainable_variables))
RESULT = gradient_status(grads)
