# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@22
# source: modelled on physics-informed NN usage (a 2-output ODE system, per-sample Jacobian)
# The network runs under the Jacobian tape g before the loss tape opens; the loss tape then records only the
# Jacobian and residual arithmetic on those outputs: every weight gets None and Adam raises
# `No gradients provided for any variable` (TF 2.21).
import numpy as np
import tensorflow as tf

net = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(16, activation="tanh"), tf.keras.layers.Dense(2)])
opt = tf.keras.optimizers.Adam(1e-3)
t = tf.constant(np.linspace(0, 1, 32)[:, None], tf.float32)

for it in range(3):
    with tf.GradientTape() as g:
        g.watch(t)
        y = net(t)
    with tf.GradientTape() as tape:
        dy_dt = g.batch_jacobian(y, t)[:, :, 0]
        residual = dy_dt - tf.concat([y[:, 1:2], -y[:, 0:1]], axis=1)
        loss = tf.reduce_mean(tf.square(residual))
    grads = tape.gradient(loss, net.trainable_variables)
    opt.apply_gradients(zip(grads, net.trainable_variables))
