# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@18 TFG015@20
# source: https://github.com/tensorflow/tensorflow/issues/36596
# "get gradient with respect to input": the tape watches `model.input` while the model is run on a variable
# `v`; the gradient is then asked w.r.t. `model.input`.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
inputs = keras.Input((3,))
hidden = keras.layers.Dense(6, activation="tanh")(inputs)
outputs = keras.layers.Dense(1)(hidden)
model = keras.Model(inputs, outputs)
v = tf.Variable(np.random.RandomState(0).rand(2, 3).astype("float32"))

with tf.GradientTape() as tape:
    tape.watch(model.input)
    model_vals = model(v)
RESULT = gradient_status([tape.gradient(model_vals, model.input)])
