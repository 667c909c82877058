"""A Keras layer that rescales its input only when it is too large.

BUG (TFG003): Keras 3 does not AutoGraph-convert `Layer.call`.  Under `fit()` the layer is
traced with symbolic tensors, and the Python `if` on a tensor raises
"OperatorNotAllowedInGraphError: Using a symbolic `tf.Tensor` as a Python `bool` is not allowed".
Use `tf.cond` / `tf.where` (here: `inputs / tf.maximum(norm, 1.0)`).
"""
import tensorflow as tf
from tensorflow import keras


class ClipNorm(keras.layers.Layer):
    def call(self, inputs):
        norm = tf.norm(inputs, axis=-1, keepdims=True)
        if tf.reduce_max(norm) > 1.0:
            return inputs / norm
        return inputs


model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(8), ClipNorm(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(tf.random.normal((32, 8)), tf.random.normal((32, 1)), epochs=1, verbose=0)
