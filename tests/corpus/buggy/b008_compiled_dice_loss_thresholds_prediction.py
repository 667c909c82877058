# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@12
# source: modelled on segmentation "dice loss: No gradients provided for any variable" questions (the prediction
# binarised with `y_pred > 0.5` inside the loss); lead's realistic programs, session 7.
# The parameter is rebound to the thresholded mask, so every path from the model's output to the loss is cut:
# TF 2.21 `fit` raises `ValueError: No gradients provided for any variable`.
import numpy as np
import tensorflow as tf
from tensorflow import keras

def dice_loss(y_true, y_pred):
    y_pred = tf.cast(y_pred > 0.5, tf.float32)
    inter = tf.reduce_sum(y_true * y_pred)
    return 1.0 - (2.0 * inter + 1.0) / (tf.reduce_sum(y_true) + tf.reduce_sum(y_pred) + 1.0)

inp = keras.Input((16, 16, 1))
h = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inp)
out = keras.layers.Conv2D(1, 1, activation="sigmoid")(h)
model = keras.Model(inp, out)
model.compile(optimizer="adam", loss=dice_loss)
x = np.random.rand(8, 16, 16, 1).astype("float32")
y = (np.random.rand(8, 16, 16, 1) > 0.5).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
RESULT = ["ok"]
