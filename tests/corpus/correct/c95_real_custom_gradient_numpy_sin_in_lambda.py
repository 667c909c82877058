# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/43916 (corrected)
# The same NumPy sine with its custom gradient, applied through a Lambda layer: the Dense layer before it
# gets its gradient through the custom grad_fn.
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


h = tf.keras.layers.Dense(2)(x)
y = tf.keras.layers.Lambda(my_sin_with_gradient_using_numpy_function)(h)
model = tf.keras.Model(x, y)
data = np.random.RandomState(0).rand(4, 2).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(model(data))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
