# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/36596 (swaroop-nath's comment)
# corrected: the loss stays in TensorFlow ops.
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])


def custom_loss(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - tf.clip_by_value(y_pred, -5.0, 5.0)))


x = tf.random.normal((8, 4))
y = tf.random.normal((8, 3))
with tf.GradientTape() as tape:
    loss = custom_loss(y, model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
print(np.mean(loss.numpy()))
