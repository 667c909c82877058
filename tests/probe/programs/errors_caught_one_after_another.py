"""Gradient errors raised and caught one after another: each exception is freed before the next is made,
so CPython hands the next one the same memory (the same id()). Every one must still be reported."""
import tensorflow as tf

w = tf.Variable(2.0, name="w")


def reuse_tape():
    with tf.GradientTape() as tape:
        loss = w * w
    tape.gradient(loss, w)
    tape.gradient(loss, w)  # second call on a non-persistent tape: RuntimeError


for attempt in range(3):
    try:
        reuse_tape()
    except RuntimeError:
        pass
    try:
        reuse_tape()
    except RuntimeError:
        pass
    try:
        reuse_tape()
    except RuntimeError:
        pass
