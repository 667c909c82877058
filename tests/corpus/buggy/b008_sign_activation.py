# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG008@13
# tf.sign as an activation: its registered gradient is zero, so the first layer silently never learns.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
first = keras.layers.Dense(6)
second = keras.layers.Dense(1)
x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))

with tf.GradientTape() as tape:
    h = tf.sign(first(x))  # BUG
    loss = tf.reduce_mean(tf.square(second(h) - y))
RESULT = gradient_status(tape.gradient(loss, first.trainable_variables + second.trainable_variables))
