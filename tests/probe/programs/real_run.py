"""A training script run for real: its environment set-up, finally, atexit, an unclosed buffered
log and a thread that never ends. argv[1]: the log file the test reads back."""

import atexit
import os
import sys
import threading
import time

# Read when TensorFlow and Keras are imported: the script's own set-up must win.
keras_home = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), "keras_home")
os.makedirs(keras_home, exist_ok=True)
with open(os.path.join(keras_home, "keras.json"), "w") as fh:
    fh.write('{"floatx": "float64"}')
os.environ["KERAS_HOME"] = keras_home
os.environ["TF_USE_LEGACY_KERAS"] = "1"

import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

log = open(sys.argv[1], "w")  # never closed: its buffer must still reach the disk
log.write("cwd %s\n" % os.getcwd())
log.write("keras floatx %s, tf.keras from %s\n" % (keras.config.floatx(), tf.keras.__name__.split(".")[0]))
atexit.register(lambda: log.write("atexit ran\n"))


def forever():
    while True:
        time.sleep(0.1)


threading.Thread(target=forever, name="never-ends").start()  # not a daemon: must not keep the run alive

w = tf.Variable([1.0, 2.0])
try:
    for step in range(1000):
        try:
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(w * w)
            grad = tape.gradient(loss, w)  # CASE: gradient
            w.assign_sub(0.1 * grad)
            log.write("step %d\n" % step)
        except Exception:  # an ordinary handler: the probe's stop is not an Exception
            log.write("swallowed\n")
finally:
    log.write("finally ran\n")
