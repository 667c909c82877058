"""One healthy gradient step, then a segmentation fault in native code."""
import ctypes

import tensorflow as tf

w = tf.Variable(2.0)
with tf.GradientTape() as tape:
    loss = w * w
tape.gradient(loss, w)
print("about to crash", flush=True)
ctypes.string_at(0)  # CASE: segfault
