"""Run as `gradls probe -m probe_pkg.train`: a relative import only works as a module."""

import os
import sys

import tensorflow as tf

from .helper import make_weight

w = make_weight()
frozen = tf.Variable([1.0, 1.0], name="frozen")
with open(sys.argv[1], "w") as out:
    out.write("cwd %s\nname %s\n" % (os.getcwd(), __name__))
for _ in range(5):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w) + tf.reduce_sum(tf.stop_gradient(frozen))
    tape.gradient(loss, [w, frozen])  # CASE: module gradient
