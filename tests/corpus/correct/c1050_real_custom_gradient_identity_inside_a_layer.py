# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/43916 (corrected: the custom-gradient identity runs in a
# layer's `call`, so the functional model calls it on real tensors and the Dense weights get gradients)
import tensorflow as tf


@tf.custom_gradient
def identity(x):
    def grad_fn(grad_y):
        return grad_y

    return (x, grad_fn)


class Identity(tf.keras.layers.Layer):
    def call(self, x):
        return identity(x)


keras_tensor = tf.keras.Input(shape=(1,))
out = Identity()(keras_tensor)
model = tf.keras.Model(keras_tensor, tf.keras.layers.Dense(1)(out))
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(model(tf.ones((2, 1))))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
