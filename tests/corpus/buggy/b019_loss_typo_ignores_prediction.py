# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG019@11
# A copy-paste typo in a custom RMSE loss: it subtracts y_true from itself, so it never reads y_pred.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def rmse(y_true, y_pred):
    y_true = tf.cast(y_true, tf.float32)
    return tf.sqrt(tf.reduce_mean(tf.square(y_true - y_true)) + 1e-8)


model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=rmse)
model.fit(np.random.randn(32, 5).astype("float32"), np.random.randn(32, 1).astype("float32"), epochs=1, verbose=0)
RESULT = ["ok"]
