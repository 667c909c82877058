# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG007@20
# source: https://github.com/keras-team/keras/issues/4608
# A gating model scales its input by a learnable scalar before a softmax; the scalar is a variable created inside
# the function given to a Lambda layer ("I wonder whether the parameter W will be updated at all, as in the
# model's summary there's no parameter"). K.variable is gone from Keras 3's backend; tf.Variable stands in.
# Keras 3 runs the Lambda's function again when fit traces its step: the second variable creation raises
# ValueError (tf.function only supports singleton tf.Variables created on the first call).
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import Activation, Input, Lambda
from tensorflow.keras.models import Model

N = 11
my_input = Input(shape=(N,), name="input")


def scale(x):
    w = tf.Variable(1.0, name="w_g")
    return x * w


scaled = Lambda(scale, name="softmax_scale")(my_input)
my_out = Activation("softmax", name="softmax")(scaled)
gating = Model(my_input, my_out, name="gating")
gating.compile(optimizer="adam", loss="categorical_crossentropy")
x = np.random.rand(32, N).astype("float32")
y = np.eye(N)[np.random.randint(0, N, 32)].astype("float32")
gating.fit(x, y, epochs=1, verbose=0)
RESULT = ["ok"]
