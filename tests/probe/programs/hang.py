"""Never ends: the probe's wall-clock timeout (or a cancel) has to stop it, and report where every
thread was."""
import threading
import time

import tensorflow as tf


def load_batches():
    while True:
        time.sleep(0.05)  # CASE: loader waits


threading.Thread(target=load_batches, name="loader", daemon=True).start()
print("started", flush=True)
while True:
    time.sleep(0.05)  # CASE: main waits
