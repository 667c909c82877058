# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG004@21
# source: https://github.com/tensorflow/tensorflow/issues/38622
# "tf.custom_gradient expects an additional output when declaring temp Variable()": a custom-gradient loss keeps
# an intermediate in a temporary tf.Variable it creates in the forward pass; TensorFlow records that variable as
# used, so the grad_fn (which has no `variables` argument) is refused at the forward call: "TypeError:
# @tf.custom_gradient grad_fn must accept keyword argument 'variables', since function uses variables".
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


@tf.custom_gradient
def foo_loss(y_pred):
    temp = tf.Variable(tf.zeros_like(y_pred))
    temp.assign(tf.square(y_pred))
    loss = tf.reduce_sum(temp)

    def grad(upstream):
        return upstream * 2.0 * y_pred

    return loss, grad


model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
x = np.random.RandomState(0).rand(4, 3).astype("float32")
with tf.GradientTape() as tape:
    loss = foo_loss(model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
