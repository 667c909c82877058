"""A compiled (@tf.function) training step for a linear model.

BUG (TFG001): `np.tanh` inside the @tf.function sees a symbolic tensor while tracing and raises
"NotImplementedError: Cannot convert a symbolic tf.Tensor to a numpy array".  Use tf.tanh.
"""
import numpy as np
import tensorflow as tf

w = tf.Variable(tf.random.normal((3, 1)))
b = tf.Variable(0.0)
optimizer = tf.keras.optimizers.SGD(0.1)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = np.tanh(tf.matmul(x, w) + b)
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, [w, b])
    optimizer.apply_gradients(zip(grads, [w, b]))
    return loss


for step in range(3):
    print(step, float(train_step(tf.random.normal((16, 3)), tf.random.normal((16, 1)))))
