"""A correct custom training loop: gradls reports nothing here.

It looks like the buggy examples but every step stays in TensorFlow: the loss uses tf ops,
the Python `if` runs eagerly under the tape (fine), the custom gradient declares `variables`,
and NumPy / `.numpy()` are only used for logging after the step.
"""
import numpy as np
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
optimizer = keras.optimizers.Adam(1e-3)
scale = tf.Variable(1.0)


@tf.custom_gradient
def scaled(x):
    def grad_fn(dy, variables=None):
        return dy * scale, [tf.reduce_sum(dy * x)]

    return x * scale, grad_fn


x = np.random.randn(64, 4).astype("float32")
y = np.random.randn(64, 1).astype("float32")
losses = []
for step in range(3):
    with tf.GradientTape() as tape:
        pred = scaled(model(x, training=True))
        err = pred - y
        if tf.reduce_max(tf.abs(err)) > 3.0:
            loss = tf.reduce_mean(tf.abs(err))
        else:
            loss = tf.reduce_mean(tf.square(err))
    variables = model.trainable_variables + [scale]
    grads = tape.gradient(loss, variables)
    optimizer.apply_gradients(zip(grads, variables))
    losses.append(loss.numpy())
print("mean loss", np.mean(losses))
