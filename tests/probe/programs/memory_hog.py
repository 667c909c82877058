"""Allocates (and touches) memory until something stops it."""
import time

import numpy as np
import tensorflow as tf

hog = []
for _ in range(200):
    hog.append(np.ones(25_000_000))  # 200 MB each, touched
    time.sleep(0.05)
print("allocated everything: the memory cap did not work")
