# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@21
# source: https://github.com/keras-team/keras/issues/16663
# A ranking loss compares tf.argsort(tf.argsort(y_pred)) with the true order: argsort has no gradient, so no
# weight of the regressor gets one (No gradients provided).
import numpy as np
import tensorflow as tf
from keras import Model
from keras.layers import Dense, Dropout, Input


def calculate_loss(pad_val, max_val):
    def loss(y_true, y_pred):
        pad_indices = tf.where(y_true == pad_val)
        y_true = tf.tensor_scatter_nd_update(
            y_true,
            pad_indices,
            tf.ones(tf.shape(pad_indices)[0], y_true.dtype) * max_val,
        )
        actual_orders = tf.argsort(tf.argsort(y_true))
        predicted_orders = tf.argsort(tf.argsort(y_pred))
        return tf.cast(tf.reduce_sum(tf.abs(actual_orders - predicted_orders)), tf.float32)

    return loss


inputs = Input(shape=(12,))
x = Dense(32, activation="relu")(inputs)
x = Dropout(0.1)(x)
outputs = Dense(6)(x)
model = Model(inputs, outputs)
model.compile(optimizer="adam", loss=calculate_loss(-1.0, 100.0))
x_train = np.random.rand(16, 12).astype("float32")
y_train = np.random.rand(16, 6).astype("float32")
model.fit(x_train, y_train, epochs=1, batch_size=8, verbose=0)
