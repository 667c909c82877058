# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@21
# source: https://github.com/tensorflow/tensorflow/issues/43916
# A `@tf.custom_gradient` identity applied straight to a Keras functional input while the model is built. It runs
# on an eager tensor; on the symbolic `keras.Input` Keras 3 raises ValueError (a KerasTensor cannot be the input of
# a TensorFlow function) before any gradient exists. The reporter's `tf.numpy_function` inside is left out: the
# error comes first.
import tensorflow as tf


@tf.custom_gradient
def identity(x):
    def grad_fn(grad_y):
        return grad_y

    return (x, grad_fn)


eager = identity(tf.constant([4.0]))
keras_tensor = tf.keras.Input(shape=(1,))
out = identity(keras_tensor)
model = tf.keras.Model(keras_tensor, tf.keras.layers.Dense(1)(out))
