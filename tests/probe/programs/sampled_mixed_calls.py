"""A tight loop calling one tf.function whose two traces differ (a Python flag: one computes a
gradient step, the other only reads the weights), a tf.function with no gradient at all, and a
gradient step inside a tf.cond that runs at every other call: the probe must count the training
steps of each call exactly (the stop after --steps lands on the right step) and still catch the
NaN of an unsampled step."""

import sys

import tensorflow as tf

w = tf.Variable([0.5, -0.25], name="w")
v = tf.Variable([1.0, 1.0], name="v")
x = tf.constant([1.0, 2.0])


@tf.function
def step(i, train):
    if train:
        with tf.GradientTape() as tape:
            poison = tf.where(tf.equal(i, 25), float("nan"), 1.0)
            loss = tf.reduce_sum(tf.square(w * x)) * poison
        grads = tape.gradient(loss, [w])  # CASE: gradient
        w.assign_sub(0.01 * tf.where(tf.math.is_finite(grads[0]), grads[0], 0.0))
    return tf.reduce_sum(w)


@tf.function
def evaluate():
    return tf.reduce_sum(w * x)


@tf.function
def every_other(i):
    def update():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(v * x))
        grads = tape.gradient(loss, [v])  # CASE: conditional gradient
        v.assign_sub(0.01 * grads[0])
        return loss

    return tf.cond(tf.equal(i % 2, 0), update, lambda: 0.0)


done = 0
for i in range(1, 200):
    step(tf.constant(i), True)
    if i % 3 == 0:
        step(tf.constant(i), False)
    evaluate()
    every_other(tf.constant(i))
    done = i
    with open(sys.argv[1], "w") as fh:
        fh.write(str(done))
