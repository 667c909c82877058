# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@14
# source: https://markaicode.com/custom-gradients-non-differentiable-losses
# The blog's "problematic loss": the prediction is thresholded with tf.cast(y_pred > 0.5, ...) before the squared
# error, and the model is trained with compile + fit.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def problematic_loss(y_true, y_pred):
    y_pred_binary = tf.cast(y_pred > 0.5, tf.float32)
    return tf.reduce_mean(tf.square(y_true - y_pred_binary))


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=problematic_loss)
x = np.random.rand(64, 4).astype("float32")
y = np.random.randint(0, 2, (64, 1)).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
RESULT = gradient_status([model.trainable_variables[0]])
