# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG018@24
# source: https://github.com/keras-team/keras/issues/9130
# "tf.py_func causes ValueError: None values not supported": an identity tf.py_func (tf.numpy_function in TF2)
# wrapped in a Lambda after the network's output; it has no gradient, so fit() finds none for any variable.
import numpy as np
import tensorflow as tf
import keras
from keras.layers import Dense, Input, Lambda
from keras.models import Model

keras.utils.set_random_seed(0)
inputs = Input((16,))
hidden = Dense(32, activation="relu")(inputs)
scores = Dense(10)(hidden)
x_train = np.zeros((4, 16), dtype=np.float32)
y_train = np.zeros((4, 1), dtype=np.float32)

# (?, 10) => (?, 1)
out1 = Lambda(lambda x: tf.reduce_sum(x, axis=-1, keepdims=True), name="sums")(scores)


def py_func(x):
    tensor = tf.numpy_function(lambda y: y, [x], tf.float32)
    tensor.set_shape(x.shape)
    return tensor


out2 = Lambda(py_func, name="py_func")(out1)

facenet = Model(inputs, out2)
facenet.compile(loss=keras.losses.mean_absolute_error, optimizer=keras.optimizers.Adam(learning_rate=1e-5))
facenet.fit(x_train, y_train, verbose=0)
RESULT = ["ok"]
