# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27046 (corrected: a keras.Model tracks its layers)
import random

import numpy as np
import tensorflow as tf


class DynamicNet(tf.keras.Model):
    def __init__(self, D_in, H, D_out):
        super().__init__()
        self.input_linear = tf.keras.layers.Dense(H, activation="relu")
        self.middle_linear = tf.keras.layers.Dense(H, activation="relu")
        self.output_linear = tf.keras.layers.Dense(D_out)

    def call(self, x):
        h_relu = self.input_linear(x)
        for _ in range(random.randint(0, 3)):
            h_relu = self.middle_linear(h_relu)
        return self.output_linear(h_relu)


N, D_in, H, D_out = 64, 100, 10, 10
x = tf.constant(np.random.randn(N, D_in), dtype=tf.float32)
y = tf.constant(np.random.randn(N, D_out), dtype=tf.float32)
model = DynamicNet(D_in, H, D_out)
optimizer = tf.keras.optimizers.SGD(1e-4)
for t in range(3):
    with tf.GradientTape() as tape:
        y_pred = model(x)
        loss = tf.reduce_sum(tf.square(y_pred - y))
    grads = tape.gradient(loss, model.trainable_variables)
    print(t, "variables:", len(model.trainable_variables), [g is None for g in grads])
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
RESULT = gradient_status(grads)
