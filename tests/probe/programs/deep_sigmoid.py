"""A 16-layer sigmoid MLP (its gradient vanishes towards the input: the first layer's norm is orders
of magnitude below the last's) next to a variable the loss never uses (None every step)."""

import keras
import numpy as np
import tensorflow as tf

keras.utils.set_random_seed(0)  # fixed weights: the test reads the update/weight ratios
layers = [keras.Input((8,))]
layers += [keras.layers.Dense(8, activation="sigmoid") for _ in range(15)]  # CASE: sigmoid layers
layers += [keras.layers.Dense(1)]
model = keras.Sequential(layers)
unused = tf.Variable(tf.ones([3]), name="unused_scale")  # CASE: unused
optimizer = keras.optimizers.SGD(0.1)
x = np.random.default_rng(0).normal(size=(32, 8)).astype("float32")
y = np.ones((32, 1), "float32")

for step in range(10):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    variables = model.trainable_variables + [unused]
    grads = tape.gradient(loss, variables)  # CASE: gradient
    optimizer.apply_gradients(zip(grads, variables))  # CASE: apply
