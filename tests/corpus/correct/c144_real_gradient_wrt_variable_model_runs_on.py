# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/36596 (corrected)
# The gradient is asked w.r.t. the variable the model is run on (a tf.Variable is watched automatically).
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
    model_vals = model(v)
RESULT = gradient_status([tape.gradient(model_vals, v)])
