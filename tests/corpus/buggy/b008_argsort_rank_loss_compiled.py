# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@18
# source: https://github.com/tensorflow/tensorflow/issues/56396
# A ranking loss built from tf.argsort of y_pred: argsort has no gradient, fit finds none at all.
import numpy as np
import tensorflow as tf
from tensorflow.keras import Model
from tensorflow.keras.layers import Dense, Input


def calculate_loss(pad_val, max_val):
    def loss(y_true, y_pred):
        pad_indices = tf.where(y_true == pad_val)
        y_true = tf.tensor_scatter_nd_update(
            y_true, pad_indices, tf.ones(tf.shape(pad_indices)[0], y_true.dtype) * max_val
        )
        actual_orders = tf.argsort(tf.argsort(y_true))
        predicted_orders = tf.argsort(tf.argsort(y_pred))
        return tf.cast(tf.reduce_sum(tf.abs(actual_orders - predicted_orders)), tf.float32)

    return loss


tf.keras.utils.set_random_seed(0)
inputs = Input((10,))
outputs = Dense(5)(Dense(16, activation="relu")(inputs))
model = Model(inputs, outputs)
model.compile(optimizer="adam", loss=calculate_loss(-1.0, 5.0))
x = np.random.randn(16, 10).astype("float32")
y = np.tile(np.arange(5, dtype="float32"), (16, 1))
model.fit(x, y, epochs=1, verbose=0)
