# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/Justin-Tan/generative-compression/issues/51 (corrected)
# The straight-through estimator without tf.round: forward value w_hard, gradient of w_soft; the encoder trains.
import numpy as np
import tensorflow as tf

centers = tf.constant([-2.0, -1.0, 0.0, 1.0, 2.0])
encoder = tf.keras.Sequential([tf.keras.Input(shape=(16,)), tf.keras.layers.Dense(4)])
decoder = tf.keras.Sequential([tf.keras.Input(shape=(4,)), tf.keras.layers.Dense(16)])
optimizer = tf.keras.optimizers.Adam(1e-3)


def quantize(w, temperature=1.0):
    dist = tf.square(tf.expand_dims(w, -1) - centers)
    phi_soft = tf.nn.softmax(-temperature * dist, axis=-1)
    symbols_hard = tf.argmin(dist, axis=-1)
    w_soft = tf.reduce_sum(phi_soft * centers, axis=-1)
    w_hard = tf.gather(centers, symbols_hard)
    w_bar = tf.stop_gradient(w_hard - w_soft) + w_soft
    return w_bar


x = np.random.rand(32, 16).astype("float32")
variables = encoder.trainable_variables + decoder.trainable_variables
with tf.GradientTape() as tape:
    w = encoder(x)
    x_hat = decoder(quantize(w))
    loss = tf.reduce_mean(tf.square(x - x_hat))
grads = tape.gradient(loss, variables)
optimizer.apply_gradients(zip(grads, variables))
RESULT = gradient_status(grads)
