# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG008@13
# Quantising activations with tf.round (no straight-through estimator): the gradient is None.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, activation="sigmoid")])
head = keras.layers.Dense(1)
x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))

with tf.GradientTape() as tape:
    q = tf.round(model(x) * 15.0) / 15.0  # BUG
    loss = tf.reduce_mean(tf.square(head(q) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
