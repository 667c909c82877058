"""Generate a large, realistic Keras/TensorFlow module (default ~20k lines) for benchmarks."""

from __future__ import annotations

import sys

HEADER = '''"""Generated benchmark module: many Keras layers, models and training steps."""
import numpy as np
import tensorflow as tf
from tensorflow import keras

'''

BLOCK = """
class Block{i}(keras.layers.Layer):
    def __init__(self, units={u}, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.dense = keras.layers.Dense(units, activation="relu")
        self.norm = keras.layers.LayerNormalization()

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(self.units,), initializer="ones")

    def call(self, x, training=None):
        h = self.dense(x)
        if training:
            h = tf.nn.dropout(h, 0.1)
        h = self.norm(h) * self.scale / np.sqrt(self.units)
        return tf.nn.relu(h)


def loss_{i}(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred)) + 0.01 * tf.reduce_sum(tf.abs(y_pred))


@tf.function
def train_step_{i}(model, optimizer, x, y):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = loss_{i}(y, pred)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


def make_model_{i}():
    inputs = keras.Input(shape=(16,))
    h = Block{i}()(inputs)
    outputs = keras.layers.Dense(1)(h)
    return keras.Model(inputs, outputs)
"""


def generate(lines: int = 20_000) -> str:
    parts = [HEADER]
    i = 0
    total = HEADER.count("\n")
    while total < lines:
        b = BLOCK.format(i=i, u=8 + i % 32)
        parts.append(b)
        total += b.count("\n")
        i += 1
    return "".join(parts)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    sys.stdout.write(generate(n))
