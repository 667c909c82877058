# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/50741 (corrected)
# The custom-gradient identity wrapped in a Lambda layer: Keras calls it on real tensors, and the Dense
# layer after it trains.
import numpy as np
import tensorflow as tf


@tf.custom_gradient
def identity(x):
    def grad_fn(grad_y):
        return grad_y

    return (x, grad_fn)


keras_tensor = tf.keras.layers.Input(shape=(2,))
out = tf.keras.layers.Lambda(identity)(keras_tensor)
model = tf.keras.Model(keras_tensor, tf.keras.layers.Dense(1)(out))
x = np.random.RandomState(0).rand(4, 2).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
