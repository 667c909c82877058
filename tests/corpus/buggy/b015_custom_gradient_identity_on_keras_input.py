# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@19
# source: https://github.com/tensorflow/tensorflow/issues/50741
# "KerasTensors do not support tf.custom_gradient()": a @tf.custom_gradient identity called directly on a
# keras Input while building a functional model; Keras 3 refuses a KerasTensor in a TensorFlow function.
import tensorflow as tf


@tf.custom_gradient
def identity(x):
    def grad_fn(grad_y):
        return grad_y

    return (x, grad_fn)


keras_tensor = tf.keras.layers.Input(shape=(2,))
print(keras_tensor)
out = identity(keras_tensor)
model = tf.keras.Model(keras_tensor, tf.keras.layers.Dense(1)(out))
RESULT = ["ok"]
