"""Writes to stdout without end."""
import sys

import tensorflow as tf

line = "flood " * 200 + "\n"
while True:
    sys.stdout.write(line)
