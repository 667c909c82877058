# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG018@22
# source: https://github.com/cleverhans-lab/cleverhans/issues/432
# A layer whose call wraps a NumPy function (np.sinh) in tf.py_function: the gradient w.r.t. the input is None.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Activation, Dense, Layer
from tensorflow.keras.models import Sequential


class MyLayer(Layer):
    def __init__(self, **kwargs):
        super(MyLayer, self).__init__(**kwargs)

    def build(self, input_shape):
        super(MyLayer, self).build(input_shape)

    def call(self, X):
        def __function(X):
            return np.sinh(X)

        return tf.reshape(tf.py_function(__function, [X], tf.float32), shape=(-1, *X.shape[1:]))


tf.keras.utils.set_random_seed(0)
kerasmodel = Sequential([tf.keras.Input((4,)), MyLayer(), Dense(10), Activation("softmax")])
x = tf.Variable(np.random.randn(2, 4).astype("float32"))
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.math.log(kerasmodel(x)[:, 0]))
RESULT = gradient_status([tape.gradient(loss, x)])
