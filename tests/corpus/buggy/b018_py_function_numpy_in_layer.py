# gradls-fixture: tf-verdict=raises:InvalidArgumentError
# gradls-expect: TFG018@19
# A "soft sort" feature layer that calls NumPy through tf.py_function inside Layer.call: py_function is
# differentiated, but the NumPy round-trip cuts the recorded path: the backward pass through the Dense before
# it breaks (TF 2.21: InvalidArgumentError in BiasAddGrad, the cut path hands back a scalar).
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def _sorted_features(t):
    return np.sort(t.numpy(), axis=-1)


class SortFeatures(keras.layers.Layer):
    def call(self, inputs):
        out = tf.py_function(_sorted_features, [inputs], tf.float32)
        out.set_shape(inputs.shape)
        return out


first = keras.layers.Dense(8)
model = keras.Sequential([keras.Input((4,)), first, SortFeatures(), keras.layers.Dense(1)])
x, y = tf.random.normal((16, 4)), tf.random.normal((16, 1))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
grads = tape.gradient(loss, first.trainable_variables)
RESULT = gradient_status(grads)
