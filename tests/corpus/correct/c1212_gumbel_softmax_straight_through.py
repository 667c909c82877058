# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on discrete-VAE usage (hard Gumbel-softmax)
# The argmax one-hot is used only through stop_gradient(y_hard - y_soft) + y_soft: the soft path carries the
# encoder's gradient.
import numpy as np
import tensorflow as tf

k = 6
enc = tf.keras.Sequential([tf.keras.Input((10,)), tf.keras.layers.Dense(k)])
dec = tf.keras.Sequential([tf.keras.Input((k,)), tf.keras.layers.Dense(10)])
opt = tf.keras.optimizers.Adam(1e-3)
x = np.random.randn(32, 10).astype("float32")
for it in range(2):
    with tf.GradientTape() as tape:
        logits = enc(x)
        g = -tf.math.log(-tf.math.log(tf.random.uniform(tf.shape(logits), 1e-9, 1.0)))
        y_soft = tf.nn.softmax((logits + g) / 0.5)
        y_hard = tf.one_hot(tf.argmax(y_soft, axis=-1), k)
        y = tf.stop_gradient(y_hard - y_soft) + y_soft
        loss = tf.reduce_mean(tf.square(dec(y) - x))
    vars_ = enc.trainable_variables + dec.trainable_variables
    grads = tape.gradient(loss, vars_)
    opt.apply_gradients(zip(grads, vars_))
RESULT = gradient_status(grads)
