"""NaN from a known line, in a tf.function training step: the probe must name the op and the line
that first produced it without stopping the program (it records the next step eagerly)."""

import tensorflow as tf

w = tf.Variable([1.0, 2.0, 3.0], name="w_nan")  # CASE: w
x = tf.constant([[1.0, 2.0, 3.0]] * 4)
opt_steps = []


@tf.function
def train_step():
    with tf.GradientTape() as tape:
        shifted = tf.reduce_sum(x * w, axis=1) - 20.0
        loss = tf.reduce_sum(tf.sqrt(shifted))  # CASE: sqrt
    grads = tape.gradient(loss, [w])  # CASE: gradient
    w.assign_sub(0.0 * tf.where(tf.math.is_finite(grads[0]), grads[0], 0.0))
    return loss


for step in range(6):
    train_step()
    opt_steps.append(step)
