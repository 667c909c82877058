# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on the manual SGD loop of b045_manual_sgd_rebinds_loop_variable, written in place
# (`var.assign(var - lr * grad)`): every weight moves.
import numpy as np
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1)])
x = np.random.rand(64, 4).astype("float32")
y = np.random.rand(64, 1).astype("float32")
model(x[:1])
lr = 0.05
before = [v.numpy().copy() for v in model.trainable_variables]
for epoch in range(3):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    for var, grad in zip(model.trainable_variables, grads):
        var.assign(var - lr * grad)
RESULT = gradient_status([v.numpy() - b for v, b in zip(model.trainable_variables, before)])
