# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@14
# source: http://xiaobeizi.cn/x/6JuuQQjucd (a translated Stack Overflow question, "non-differentiable loss function keras")
# A segmentation model should output a 0/1 mask; the compiled loss thresholds y_pred with
# tf.where(y_pred >= 0.5, 1.0, 0.0), which has no gradient to y_pred: fit() finds no gradient for any weight.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def loss(y_true, y_pred):
    tresholded_pred = tf.where(y_pred >= 0.5, 1.0, 0.0)
    sq_diff = tf.square(y_true - tresholded_pred)
    return tf.reduce_mean(sq_diff, axis=-1)


model = keras.Sequential(
    [
        keras.Input((8, 8, 3)),
        keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
        keras.layers.Conv2D(1, 1, activation="sigmoid"),
    ]
)
model.compile(optimizer="adam", loss=loss)
x = np.random.RandomState(0).rand(8, 8, 8, 3).astype("float32")
y = (np.random.RandomState(1).rand(8, 8, 8, 1) > 0.5).astype("float32")
model.fit(x, y, epochs=1, batch_size=4, verbose=0)
RESULT = ["ok"]
