# gradls-fixture: tf-verdict=raises:NotImplementedError
# gradls-expect: TFG001@12
# A custom loss passed to compile() uses np.clip on y_pred: fit() traces the loss, NumPy raises.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def clipped_bce(y_true, y_pred):
    y_pred = np.clip(y_pred, 1e-7, 1 - 1e-7)  # BUG
    return -tf.reduce_mean(y_true * tf.math.log(y_pred) + (1 - y_true) * tf.math.log(1 - y_pred))


model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=clipped_bce)
model.fit(tf.random.normal((8, 5)), tf.cast(tf.random.uniform((8, 1)) > 0.5, tf.float32), epochs=1, verbose=0)
RESULT = ["ok"]
