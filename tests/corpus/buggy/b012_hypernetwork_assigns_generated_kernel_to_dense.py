# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG012@23
# source: modelled on hypernetwork usage (a task-conditioned generator of a Dense kernel)
# The generated kernel is written into the target layer with `target.kernel.assign(w)` inside the tape and the loss
# runs the layer: the assignment is not differentiable, every hypernetwork gradient is None and Adam raises
# `No gradients provided for any variable` (TF 2.21).
import numpy as np
import tensorflow as tf

task_dim, in_dim, out_dim = 4, 8, 3
hyper = tf.keras.Sequential([tf.keras.Input((task_dim,)), tf.keras.layers.Dense(32, activation="relu"),
                             tf.keras.layers.Dense(in_dim * out_dim)])
target = tf.keras.layers.Dense(out_dim, use_bias=False)
target.build((None, in_dim))
opt = tf.keras.optimizers.Adam(1e-3)

for step in range(3):
    task = np.random.randn(1, task_dim).astype("float32")
    x = np.random.randn(32, in_dim).astype("float32")
    y = np.random.randn(32, out_dim).astype("float32")
    with tf.GradientTape() as tape:
        w = tf.reshape(hyper(task), (in_dim, out_dim))
        target.kernel.assign(w)
        pred = target(x)
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, hyper.trainable_variables)
    opt.apply_gradients(zip(grads, hyper.trainable_variables))
    print(step, float(loss))
