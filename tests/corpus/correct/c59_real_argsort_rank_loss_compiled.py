# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/56396
# corrected: a differentiable surrogate, the squared error to the padded targets (the argsort only for metrics).
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
        return tf.reduce_mean(tf.square(y_true - y_pred))

    return loss


tf.keras.utils.set_random_seed(0)
inputs = Input((10,))
outputs = Dense(5)(Dense(16, activation="relu")(inputs))
model = Model(inputs, outputs)
model.compile(optimizer="adam", loss=calculate_loss(-1.0, 5.0))
x = np.random.randn(16, 10).astype("float32")
y = np.tile(np.arange(5, dtype="float32"), (16, 1))
model.fit(x, y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    l = calculate_loss(-1.0, 5.0)(tf.constant(y), model(x))
RESULT = gradient_status(tape.gradient(l, model.trainable_variables))
