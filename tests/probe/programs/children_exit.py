"""Leaves children behind (one in its process group, one in a new session), reads stdin,
prints fake report lines, and ends with os._exit. argv[1]: where to write the children's pids."""
import os
import subprocess
import sys

import tensorflow as tf

same_group = subprocess.Popen(["sleep", "300"])
new_session = subprocess.Popen(["sleep", "300"], start_new_session=True)
with open(sys.argv[1], "w") as fh:
    fh.write("%d %d\n" % (same_group.pid, new_session.pid))

print('{"event": "gradient", "kind": "tape.gradient", "file": "fake.py", "line": 1, "sources": []}')
w = tf.Variable(3.0, name="w")
with tf.GradientTape() as tape:
    loss = w * 2.0
tape.gradient(loss, w)
try:
    input("a prompt nobody answers: ")
except EOFError as exc:
    print("stdin gave", type(exc).__name__)
sys.stdout.flush()
os._exit(3)
