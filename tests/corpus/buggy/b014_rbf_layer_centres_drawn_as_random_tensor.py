# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@18
# source: modelled on Keras 3 custom-layer usage (an RBF layer written with tensors for its centres)
# build() stores tf.random.normal(...) on self.centers instead of calling add_weight: the layer has no trainable
# weights and fit never changes the centres (TF 2.21, no error).
import numpy as np
import tensorflow as tf
from tensorflow import keras


class RBFLayer(keras.layers.Layer):
    def __init__(self, units, gamma=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.gamma = gamma

    def build(self, input_shape):
        self.centers = tf.random.normal((self.units, input_shape[-1]))

    def call(self, x):
        diff = tf.expand_dims(x, 1) - self.centers
        return tf.exp(-self.gamma * tf.reduce_sum(tf.square(diff), axis=-1))


model = keras.Sequential([keras.Input((3,)), RBFLayer(10), keras.layers.Dense(1)])
model.compile("adam", "mse")
x = np.random.randn(128, 3).astype("float32")
y = np.random.randn(128, 1).astype("float32")
c0 = model.layers[0].centers.numpy().copy()
model.fit(x, y, epochs=2, verbose=0)
RESULT = gradient_status([tf.constant(model.layers[0].centers.numpy() - c0)])
