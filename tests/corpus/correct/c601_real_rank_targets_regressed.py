# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/16663 (corrected)
# The ranks are computed from y_true only (argsort of the labels) and the prediction is regressed onto them:
# the loss is a function of y_pred, so the regressor trains.
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
        actual_orders = tf.cast(tf.argsort(tf.argsort(y_true)), tf.float32)
        return tf.reduce_mean(tf.abs(actual_orders - y_pred))

    return loss


inputs = Input(shape=(12,))
x = Dense(32, activation="relu")(inputs)
x = Dropout(0.1)(x)
outputs = Dense(6)(x)
model = Model(inputs, outputs)
rank_loss = calculate_loss(-1.0, 100.0)
model.compile(optimizer="adam", loss=rank_loss)
x_train = np.random.rand(16, 12).astype("float32")
y_train = np.random.rand(16, 6).astype("float32")
model.fit(x_train, y_train, epochs=1, batch_size=8, verbose=0)

with tf.GradientTape() as tape:
    value = rank_loss(tf.constant(y_train), model(x_train, training=False))
RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
