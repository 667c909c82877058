"""A tf.function that runs 5 gradient steps per call (a loop of steps inside one call, as Keras'
steps_per_execution does) for 60 steps, with a NaN gradient at step 33 only: probed for 50 steps,
each call's last run is reported when its step is due, and the NaN (an unsampled step) at the last
run of its call."""

import tensorflow as tf

w = tf.Variable([0.5, -0.25], name="w")
x = tf.constant([1.0, 2.0])


@tf.function
def train_chunk(first):
    for i in tf.range(5):
        step = first + i
        with tf.GradientTape() as tape:
            poison = tf.where(tf.equal(step, 33), float("nan"), 1.0)
            loss = tf.reduce_sum(tf.square(w * x)) * poison
        grads = tape.gradient(loss, [w])  # CASE: gradient
        w.assign_sub(0.01 * tf.where(tf.math.is_finite(grads[0]), grads[0], 0.0))


for first in range(1, 61, 5):
    train_chunk(tf.constant(first))
