"""Regression with a hand-written training loop.

BUG (TFG001): the loss is computed with NumPy (`np.mean`, `np.square`) on the model's output.
NumPy turns the tensor into an ndarray, so the GradientTape stops recording there: every
gradient is silently None and the Keras optimizer fails with
"ValueError: No gradients provided for any variable".  Use tf.reduce_mean / tf.square.
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
optimizer = keras.optimizers.Adam(1e-3)
x = np.random.randn(64, 4).astype("float32")
y = np.random.randn(64, 1).astype("float32")

for step in range(3):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = tf.convert_to_tensor(np.mean(np.square(pred - y)))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    print(f"step {step}: loss={float(loss):.4f}")
