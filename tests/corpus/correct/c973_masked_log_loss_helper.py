# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: realistic program, 2026-12-07 session 4 (a helper loss mixing a comparison mask and tf.math.log)
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1, activation="relu")])


def masked_log_loss(pred):
    mask = tf.cast(pred > 0.0, tf.float32)
    return -tf.reduce_mean(mask * tf.math.log(pred + 1.0))


x = np.random.rand(8, 4).astype("float32")
with tf.GradientTape() as tape:
    loss = masked_log_loss(model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
