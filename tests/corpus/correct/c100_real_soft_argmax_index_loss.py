# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://stackoverflow.com/questions/46926809 (corrected, the soft-argmax answer)
# The index is approximated by the softmax-weighted mean of the positions, which is differentiable: every
# weight gets a gradient.
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)


def custom_loss(y_true, y_pred, beta=10.0):
    positions = tf.range(tf.shape(y_pred)[-1], dtype=tf.float32)
    true_index = tf.cast(tf.argmax(y_true, axis=-1), tf.float32)
    pred_index = tf.reduce_sum(tf.nn.softmax(beta * y_pred, axis=-1) * positions, axis=-1)
    return tf.reduce_mean(tf.square(pred_index - true_index))


model = tf.keras.Sequential([tf.keras.Input((10,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(5)])
model.compile(optimizer="adam", loss=custom_loss)
x = np.random.RandomState(0).rand(20, 10).astype("float32")
y = tf.keras.utils.to_categorical(np.random.RandomState(1).randint(0, 5, 20), 5)
model.fit(x, y, epochs=1, batch_size=10, verbose=0)
with tf.GradientTape() as tape:
    value = custom_loss(tf.constant(y[:4]), model(x[:4], training=True))
RESULT = gradient_status(tape.gradient(value, model.trainable_variables))
