"""A tight tf.function loop whose call at step 33 raises after its gradient ran (an in-graph
assertion the loop catches): the probe must still count that step, and stop after --steps on the
right step, as when every call's counts are read."""

import sys

import tensorflow as tf

w = tf.Variable([0.5, -0.25], name="w")
x = tf.constant([1.0, 2.0])


@tf.function
def train_step(step):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(w * x))
    grads = tape.gradient(loss, [w])  # CASE: gradient
    w.assign_sub(0.01 * grads[0])
    tf.debugging.assert_none_equal(step, 33)  # raises at step 33, after the gradient ran
    return loss


for step in range(1, 101):
    try:
        train_step(tf.constant(step))
    except tf.errors.InvalidArgumentError:
        pass
    with open(sys.argv[1], "w") as fh:
        fh.write(str(step))
