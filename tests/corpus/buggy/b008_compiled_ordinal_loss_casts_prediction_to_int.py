# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@11
# source: modelled on ordinal-regression questions ("round the prediction to the nearest class, then MSE");
# lead's realistic programs, session 7. The int cast of the rebound prediction has no gradient:
# TF 2.21 `fit` raises `ValueError: No gradients provided for any variable`.
import numpy as np
import tensorflow as tf
from tensorflow import keras

def ordinal_mse(y_true, y_pred):
    y_pred = tf.cast(y_pred, tf.int32)
    return tf.reduce_mean(tf.square(tf.cast(y_true, tf.float32) - tf.cast(y_pred, tf.float32)))

model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=ordinal_mse)
model.fit(np.random.rand(32, 6), np.random.randint(0, 5, (32, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
