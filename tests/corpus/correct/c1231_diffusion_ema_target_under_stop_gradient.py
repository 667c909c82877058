# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on diffusion-model usage (DDPM noise-prediction loss plus an EMA-network consistency term)
# stop_gradient is on the EMA network target only; the online network gets gradients from both terms.
import numpy as np
import tensorflow as tf
from tensorflow import keras

T = 100
abar = tf.constant(np.cumprod(1 - np.linspace(1e-4, 0.02, T)).astype("float32"))


def make_net():
    return keras.Sequential([keras.layers.Dense(64, activation="swish"), keras.layers.Dense(4)])


net = make_net()
ema_net = make_net()
net.build((None, 5)); ema_net.build((None, 5))
ema_net.set_weights(net.get_weights())
opt = keras.optimizers.Adam(1e-3)
data = tf.random.normal((256, 4))


@tf.function
def train_step(x0):
    t = tf.random.uniform((tf.shape(x0)[0],), maxval=T, dtype=tf.int32)
    a = tf.gather(abar, t)[:, None]
    noise = tf.random.normal(tf.shape(x0))
    xt = tf.sqrt(a) * x0 + tf.sqrt(1 - a) * noise
    tt = tf.cast(t, tf.float32)[:, None] / T
    with tf.GradientTape() as tape:
        pred = net(tf.concat([xt, tt], 1), training=True)
        # consistency-style target from the EMA network, held fixed
        target = tf.stop_gradient(ema_net(tf.concat([xt, tt], 1)))
        loss = tf.reduce_mean((pred - noise) ** 2) + 0.1 * tf.reduce_mean((pred - target) ** 2)
    grads = tape.gradient(loss, net.trainable_variables)
    opt.apply_gradients(zip(grads, net.trainable_variables))
    for w, ew in zip(net.weights, ema_net.weights):
        ew.assign(0.99 * ew + 0.01 * w)
    return loss


before = [w.numpy().copy() for w in net.trainable_variables]
for i in range(10):
    loss = train_step(data[(i % 4) * 64:(i % 4 + 1) * 64])
print(float(loss))
RESULT = gradient_status([w.numpy() - b for w, b in zip(net.trainable_variables, before)])
