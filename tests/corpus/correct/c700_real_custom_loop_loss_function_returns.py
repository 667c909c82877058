# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/42386 (corrected)
# The loss function returns its value: the custom loop trains.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam(1e-3)


def get_loss(y_true, y_pred):
    loss = tf.reduce_mean(tf.square(y_true - y_pred))
    return loss


x = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")
for step in range(3):
    with tf.GradientTape() as tape:
        pred = model(x)
        loss = get_loss(y, pred)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
RESULT = gradient_status(grads)
