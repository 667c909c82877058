# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@23
# source: https://github.com/tensorflow/tensorflow/issues/43916
# "Keras Functional API does not support tf.custom_gradient() with tf.numpy_function()": a sine whose value
# and derivative come from tf.numpy_function inside a @tf.custom_gradient, called on a keras Input.
import numpy as np
import tensorflow as tf

x = tf.keras.layers.Input(shape=(2,))


@tf.custom_gradient
def my_sin_with_gradient_using_numpy_function(x):
    def _sin_and_gradient_numpy(x):
        return (np.sin(x), np.cos(x))

    (y, dy_dx) = tf.numpy_function(_sin_and_gradient_numpy, [x], [tf.float32, tf.float32])
    y.set_shape(x.shape)
    dy_dx.set_shape(x.shape)
    return (y, lambda dy: dy * dy_dx)


y = my_sin_with_gradient_using_numpy_function(x)
RESULT = ["ok"]
