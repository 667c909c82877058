# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/38622 (corrected)
# The intermediate is an ordinary tensor, so the custom-gradient loss reads no variable and its grad_fn needs
# only the upstream gradient.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


@tf.custom_gradient
def foo_loss(y_pred):
    temp = tf.square(y_pred)
    loss = tf.reduce_sum(temp)

    def grad(upstream):
        return upstream * 2.0 * y_pred

    return loss, grad


model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
x = np.random.RandomState(0).rand(4, 3).astype("float32")
with tf.GradientTape() as tape:
    loss = foo_loss(model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
