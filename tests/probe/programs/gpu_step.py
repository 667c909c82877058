"""One gradient step of a tiny Keras model (used to check which device the probe ran on)."""
import numpy as np
import keras
import tensorflow as tf

model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
opt = keras.optimizers.Adam()
x = tf.constant(np.random.rand(4, 8).astype("float32"))
for _ in range(5):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(model(x) ** 2)
    grads = tape.gradient(loss, model.trainable_variables)
    opt.apply_gradients(zip(grads, model.trainable_variables))
