# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG006@13
# Autoencoder: stop_gradient on the code blocks every encoder weight from learning (None gradients).
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
encoder = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3, activation="relu")])
decoder = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8)])
x = tf.random.normal((16, 8))

with tf.GradientTape() as tape:
    code = tf.stop_gradient(encoder(x, training=True))  # BUG
    recon = decoder(code, training=True)
    loss = tf.reduce_mean(tf.square(recon - x))
variables = encoder.trainable_variables + decoder.trainable_variables
RESULT = gradient_status(tape.gradient(loss, variables))
