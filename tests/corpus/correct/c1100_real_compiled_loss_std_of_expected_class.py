# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/7567 (corrected: the spread of the expected class index,
# a probability-weighted sum, which is differentiable, instead of the argmax)
import numpy as np
import keras
import tensorflow as tf
from keras import ops


def StdLoss(y_true, y_pred):
    label = ops.sum(y_pred * ops.arange(3, dtype="float32"), axis=1)
    return ops.std(label, axis=0, keepdims=True)


model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="sgd", loss=StdLoss)
x = np.random.rand(32, 8).astype("float32")
y = np.zeros((32, 3), dtype="float32")
model.fit(x, y, batch_size=16, epochs=1, shuffle=True, verbose=0)
with tf.GradientTape() as tape:
    loss = StdLoss(y, model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
