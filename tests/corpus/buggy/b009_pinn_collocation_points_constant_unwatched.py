# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG009@23
# source: modelled on physics-informed NN usage (u' residual with a tape in a helper)
# The collocation points are `tf.constant(np.linspace(...)[:, None])`, never watched by the tape in
# pde_residual: u_x is None and `u_x - ...` raises ValueError (None converted to a tensor) under TF 2.21.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([
    tf.keras.layers.Input((1,)),
    tf.keras.layers.Dense(20, activation="tanh"),
    tf.keras.layers.Dense(20, activation="tanh"),
    tf.keras.layers.Dense(1),
])
optimizer = tf.keras.optimizers.Adam(1e-3)
x_col = tf.constant(np.linspace(-1, 1, 100)[:, None], dtype=tf.float32)
x_bc = tf.constant([[-1.0], [1.0]])


def pde_residual(x):
    with tf.GradientTape() as tape1:
        u = model(x)
    u_x = tape1.gradient(u, x)
    return u_x - np.pi * tf.cos(np.pi * x)


for epoch in range(3):
    with tf.GradientTape() as tape:
        r = pde_residual(x_col)
        loss = tf.reduce_mean(tf.square(r)) + tf.reduce_mean(tf.square(model(x_bc)))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    print(epoch, float(loss))
