# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@15
# source: https://github.com/keras-team/keras/issues/7567
# A compiled loss that ignores the labels and returns the spread of the predicted class index (Keras 2's K.cast /
# K.argmax / K.std written as keras.ops): argmax has no gradient, so `fit` finds none for any weight and raises
# ValueError: No gradients provided for any variable. Small Dense classifier and random data as stand-ins.
# A compiled loss that ignores the labels and returns the standard deviation of the predicted class index:
# argmax has no gradient, so no weight gets one.
import numpy as np
import keras
from keras import ops


def StdLoss(y_true, y_pred):
    label = ops.cast(ops.argmax(y_pred, axis=1), dtype="float32")
    return ops.std(label, axis=0, keepdims=True)


model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="sgd", loss=StdLoss)
x = np.random.rand(32, 8).astype("float32")
y = np.zeros((32, 3), dtype="float32")
model.fit(x, y, batch_size=16, epochs=1, shuffle=True, verbose=0)
RESULT = "ok"
