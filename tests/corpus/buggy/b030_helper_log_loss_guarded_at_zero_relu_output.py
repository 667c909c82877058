# gradls-fixture: tf-verdict=nan-gradient
# gradls-expect: TFG030@12
# source: realistic program, 2026-12-07 session 4 (a "safe" log loss helper on a ReLU prediction)
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, activation="relu")])


def safe_log_loss(pred):
    return tf.reduce_mean(tf.where(pred > 0.0, tf.math.log(pred), tf.zeros_like(pred)))


x = np.array([[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]], "float32")
with tf.GradientTape() as tape:
    loss = safe_log_loss(model(x))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
