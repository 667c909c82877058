# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/35713 (corrected)
# The same loss factory with the NumPy ranking replaced by a correlation computed with TensorFlow ops on the
# predictions themselves: every weight gets a gradient.
import numpy as np
import tensorflow as tf

BATCH_SIZE = 4


def custom_loss(num_targets):
    def custom_rhos(y_true, y_pred):
        rhos = []
        for ind in range(num_targets):
            a = tf.squeeze(tf.slice(y_true, [0, ind], [-1, 1]))
            b = tf.squeeze(tf.slice(y_pred, [0, ind], [-1, 1]))
            a = a - tf.reduce_mean(a)
            b = b - tf.reduce_mean(b)
            rho = tf.reduce_sum(a * b) / (tf.norm(a) * tf.norm(b) + 1e-6)
            rhos.append(rho)
        return -tf.reduce_sum(rhos)

    return custom_rhos


tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)])
model.compile(optimizer="adam", loss=custom_loss(3))
x = np.random.RandomState(0).rand(16, 6).astype("float32")
y = np.random.RandomState(1).rand(16, 3).astype("float32")
model.fit(x, y, batch_size=BATCH_SIZE, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = custom_loss(3)(tf.constant(y[:4]), model(x[:4], training=True))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
