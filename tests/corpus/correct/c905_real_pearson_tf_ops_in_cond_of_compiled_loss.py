# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/35520
# (corrected: the correlation in TensorFlow ops) A compiled loss that mixes binary crossentropy and a Spearman correlation computed by tf.py_function in tf.cond.
import numpy as np
import tensorflow as tf


def pearson(a, b):
    a = a - tf.reduce_mean(a)
    b = b - tf.reduce_mean(b)
    return tf.reduce_sum(a * b) / (tf.norm(a) * tf.norm(b) + 1e-6)


def custom_loss(y_true, y_pred):
    rhos = tf.constant(0, dtype="float32")
    for ind in range(3):
        a = tf.slice(y_true, [0, ind], [-1, 1])
        a = tf.reshape(a, [-1])
        b = tf.slice(y_pred, [0, ind], [-1, 1])
        b = tf.reshape(b, [-1])
        rhos = tf.cond(
            tf.equal(tf.argmax(a), tf.argmin(a)),
            lambda: tf.add(rhos, tf.keras.losses.binary_crossentropy(a, b)),
            lambda: tf.subtract(rhos, pearson(a, b)),
        )
    return tf.divide(rhos, tf.constant(3, "float32"))


model = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(3, activation="sigmoid")])
model.compile(optimizer="adam", loss=custom_loss)
x = np.random.rand(16, 4).astype("float32")
y = np.random.rand(16, 3).astype("float32")
before = model.get_weights()[0].copy()
model.fit(x, y, epochs=1, batch_size=16, verbose=0)
RESULT = gradient_status([model.get_weights()[0] - before])
