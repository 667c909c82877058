# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on hypernetwork usage
# The generated kernel is a tensor passed to tf.nn.conv2d (no assign): the hypernetwork gets its gradient.
import numpy as np
import tensorflow as tf

hyper = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3 * 3 * 1 * 4)])
opt = tf.keras.optimizers.Adam(1e-3)
x = np.random.rand(2, 8, 8, 1).astype("float32")
z = np.random.randn(1, 4).astype("float32")
with tf.GradientTape() as tape:
    kernel = tf.reshape(hyper(z), (3, 3, 1, 4))
    y = tf.nn.conv2d(x, kernel, strides=1, padding="SAME")
    loss = tf.reduce_mean(tf.square(y - 1.0))
grads = tape.gradient(loss, hyper.trainable_variables)
opt.apply_gradients(zip(grads, hyper.trainable_variables))
RESULT = gradient_status(grads)
