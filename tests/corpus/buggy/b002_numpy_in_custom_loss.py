# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG002@13
# source: https://github.com/tensorflow/tensorflow/issues/36596 (swaroop-nath's comment)
# A custom loss that converts the predictions to NumPy for its computation: the gradient is None.
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])


def custom_loss(y_true, y_pred):
    y_pred = y_pred.numpy()
    return tf.reduce_mean(tf.square(y_true - np.clip(y_pred, -5.0, 5.0)))


x = tf.random.normal((8, 4))
y = tf.random.normal((8, 3))
with tf.GradientTape() as tape:
    loss = custom_loss(y, model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
