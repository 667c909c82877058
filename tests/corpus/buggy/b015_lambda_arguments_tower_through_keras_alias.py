# gradls-fixture: tf-verdict=raises:NotImplementedError
# gradls-expect: TFG015@17
# source: https://github.com/tensorflow/tensorflow/issues/14359 (as written there, keras = tf.keras)
import numpy as np
import tensorflow as tf

keras = tf.keras


def func(x, y):
    return tf.add(x, y)


a = keras.layers.Input(shape=(64,))
b = keras.layers.Dense(5)(a)
c = keras.layers.Dense(5)(a)
d = keras.layers.Lambda(func, arguments={"y": c})(b)
model = keras.models.Model(a, d)
RESULT = ["ok"]
