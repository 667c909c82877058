# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on VAE usage (reparameterisation trick)
# The noise is drawn with NumPy from the mean's static shape only; z = mean + exp(0.5 * log_var) * eps stays
# a tensor computed from the encoder, so every weight gets a gradient.
import numpy as np
import tensorflow as tf

enc = tf.keras.Sequential([tf.keras.Input((20,)), tf.keras.layers.Dense(32, activation="relu"),
                           tf.keras.layers.Dense(4)])
dec = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(32, activation="relu"),
                           tf.keras.layers.Dense(20)])
opt = tf.keras.optimizers.Adam(1e-3)
x = np.random.randn(64, 20).astype("float32")
for it in range(3):
    with tf.GradientTape() as tape:
        mean, log_var = tf.split(enc(x), 2, axis=1)
        eps = np.random.normal(size=mean.shape).astype("float32")
        z = mean + tf.exp(0.5 * log_var) * eps
        rec = tf.reduce_mean(tf.reduce_sum(tf.square(dec(z) - x), axis=1))
        kl = -0.5 * tf.reduce_mean(tf.reduce_sum(1 + log_var - mean ** 2 - tf.exp(log_var), axis=1))
        loss = rec + kl
    vars_ = enc.trainable_variables + dec.trainable_variables
    grads = tape.gradient(loss, vars_)
    opt.apply_gradients(zip(grads, vars_))
    print(it, float(loss))
RESULT = gradient_status(grads)
