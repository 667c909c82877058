# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG018@22
# source: https://github.com/tensorflow/tensorflow/issues/35713
# "No gradient in custom loss function": a Spearman-correlation loss factory ranks y_pred with a NumPy rank
# function through tf.numpy_function; it has no gradient, so fit() finds none for any weight.
import numpy as np
import tensorflow as tf

BATCH_SIZE = 4


def rankdata(a):
    return (np.argsort(np.argsort(a)) + 1).astype(np.float32)


def custom_loss(num_targets):
    def custom_rhos(y_true, y_pred):
        rhos = []
        for ind in range(num_targets):
            a = tf.squeeze(tf.slice(y_true, [0, ind], [-1, 1]))
            b = tf.squeeze(tf.slice(y_pred, [0, ind], [-1, 1]))
            rank_a, rank_b = tf.numpy_function(rankdata, [a], Tout=tf.float32), tf.numpy_function(rankdata, [b], Tout=tf.float32)
            rho = 1 - 6 * tf.reduce_sum((rank_a - rank_b) ** 2) / (BATCH_SIZE**3 - BATCH_SIZE)
            rhos.append(rho)
        return -tf.reduce_sum(rhos)

    return custom_rhos


tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)])
model.compile(optimizer="adam", loss=custom_loss(3))
x = np.random.RandomState(0).rand(16, 6).astype("float32")
y = np.random.RandomState(1).rand(16, 3).astype("float32")
model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0)
RESULT = ["ok"]
