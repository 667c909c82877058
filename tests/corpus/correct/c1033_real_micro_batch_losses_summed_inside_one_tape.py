# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Micro-batch losses appended and summed inside one tape that covers the loop.
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
opt = keras.optimizers.SGD(0.01)
x = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")

micro_losses = []
with tf.GradientTape() as tape:
    for i in range(4):
        pred = model(x[i * 8 : (i + 1) * 8])
        micro_losses.append(tf.reduce_mean(tf.square(pred - y[i * 8 : (i + 1) * 8])))
    total = tf.add_n(micro_losses) / 4.0
grads = tape.gradient(total, model.trainable_variables)
RESULT = gradient_status(grads)
