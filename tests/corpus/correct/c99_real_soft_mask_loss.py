# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: http://xiaobeizi.cn/x/6JuuQQjucd (corrected, as the answer suggests)
# Train on the sigmoid output itself and threshold only at prediction time; the tf.where outside the loss
# (on predict()'s NumPy output) is harmless.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def loss(y_true, y_pred):
    sq_diff = tf.square(y_true - y_pred)
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
mask = tf.where(model.predict(x, verbose=0) >= 0.5, 1.0, 0.0)
with tf.GradientTape() as tape:
    value = tf.reduce_mean(loss(y[:2], model(x[:2], training=True)))
RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
