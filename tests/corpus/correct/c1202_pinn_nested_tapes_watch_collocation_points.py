# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on physics-informed NN usage
# Nested tapes that watch the constant collocation points, the inner gradients taken inside the outer tape: every weight gets a gradient.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(20, activation="tanh"),
                             tf.keras.layers.Dense(1)])
opt = tf.keras.optimizers.Adam(1e-3)
x = tf.constant(np.linspace(0, 1, 64)[:, None], tf.float32)

for it in range(3):
    with tf.GradientTape() as tape:
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                u = model(x)
            u_x = t1.gradient(u, x)
        u_xx = t2.gradient(u_x, x)
        loss = tf.reduce_mean(tf.square(u_xx + np.pi ** 2 * tf.sin(np.pi * x))) + tf.reduce_mean(model(tf.zeros((1, 1))) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
    print(it, float(loss))
RESULT = gradient_status(grads)
