# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on sequence-model usage (an RNN cell unrolled by hand)
# Each step's output is appended to a Python list and the list is stacked with tf.stack: differentiable, every
# weight of the cell and the head gets a gradient.
import numpy as np
import tensorflow as tf

cell = tf.keras.layers.SimpleRNNCell(8)
head = tf.keras.layers.Dense(1)
opt = tf.keras.optimizers.Adam(1e-3)
xs = np.random.randn(4, 5, 3).astype("float32")
ys = np.random.randn(4, 5, 1).astype("float32")
h = [tf.zeros((4, 8))]
for it in range(2):
    with tf.GradientTape() as tape:
        state = h
        outs = []
        for t in range(5):
            o, state = cell(xs[:, t], state)
            outs.append(head(o))
        pred = tf.stack(outs, axis=1)
        loss = tf.reduce_mean(tf.square(pred - ys))
    vars_ = cell.trainable_variables + head.trainable_variables
    grads = tape.gradient(loss, vars_)
    opt.apply_gradients(zip(grads, vars_))
RESULT = gradient_status(grads)
