# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG018@18
# A robust regression loss (median absolute error) written with NumPy and wrapped in tf.numpy_function so it
# "works in graph mode".  numpy_function has no gradient: fit() finds no gradient for any weight.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def _np_median_abs_error(y_true, y_pred):
    return np.median(np.abs(y_true - y_pred)).astype(np.float32)


def median_absolute_error(y_true, y_pred):
    y_true = tf.cast(y_true, y_pred.dtype)
    loss = tf.numpy_function(_np_median_abs_error, [y_true, y_pred], tf.float32)  # BUG
    return tf.reshape(loss, [])


model = keras.Sequential([
    keras.Input((6,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(1),
])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=median_absolute_error)

x = np.random.randn(64, 6).astype("float32")
y = (x @ np.random.randn(6, 1) + 0.1 * np.random.standard_cauchy((64, 1))).astype("float32")
model.fit(x, y, epochs=1, batch_size=32, verbose=0)
RESULT = ["ok"]
