# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG045@22
# source: modelled on "loss never decreases with my manual SGD loop" reports (hand-written update over
# zip(model.trainable_variables, grads)); lead's realistic programs, session 7.
# `var = var - lr * grad` binds the loop name to a new tensor; the Keras variable is never written, so every
# weight keeps its initial value (TF 2.21, no error). RESULT: how much each weight moved ("zero" = not at all).
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
        var = var - lr * grad
    print(epoch, float(loss))
RESULT = gradient_status([v.numpy() - b for v, b in zip(model.trainable_variables, before)])
