# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A custom loss function (Huber-like, written with tf.where) passed to compile().
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def smooth_l1(y_true, y_pred, delta=1.0):
    error = y_true - y_pred
    small = tf.abs(error) <= delta
    squared = 0.5 * tf.square(error)
    linear = delta * (tf.abs(error) - 0.5 * delta)
    return tf.reduce_mean(tf.where(small, squared, linear), axis=-1)


model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=smooth_l1)
x = tf.random.normal((16, 3))
y = 3.0 * tf.random.normal((16, 2))
model.fit(x, y, epochs=1, batch_size=16, verbose=0)

with tf.GradientTape() as tape:
    loss = tf.reduce_mean(smooth_l1(y, model(x)))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
