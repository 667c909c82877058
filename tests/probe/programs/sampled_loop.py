"""A tight tf.function loop of 100 gradient steps whose gradient is NaN at steps 30 and 37 only:
probed for many steps, the probe reports the first 20 steps, then every 10th, the last ones and
any step with a NaN/Inf (37 is not a sampled step)."""

import tensorflow as tf

w = tf.Variable([0.5, -0.25], name="w")
x = tf.constant([1.0, 2.0])


@tf.function
def train_step(step):
    with tf.GradientTape() as tape:
        poison = tf.where(tf.equal(step, 30) | tf.equal(step, 37), float("nan"), 1.0)
        loss = tf.reduce_sum(tf.square(w * x)) * poison
    grads = tape.gradient(loss, [w])  # CASE: gradient
    w.assign_sub(0.01 * tf.where(tf.math.is_finite(grads[0]), grads[0], 0.0))
    return loss


for step in range(1, 101):
    train_step(tf.constant(step))
