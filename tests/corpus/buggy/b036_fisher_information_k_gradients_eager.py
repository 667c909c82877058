# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG036@23
# source: https://github.com/King-Of-Knights/overcoming-catastrophic/issues/1
# Elastic weight consolidation: the Fisher information is accumulated from K.gradients(K.log(output), weights), TF 1
# Keras code run under TF 2, where the loop runs eagerly: RuntimeError: tf.gradients is not supported when eager
# execution is enabled. Use tf.GradientTape instead.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import backend as K

model = keras.Sequential(
    [keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(4, activation="softmax")]
)
imgset = np.random.RandomState(0).rand(20, 8).astype("float32")
num_sample = 5

f_accum = [np.zeros(w.shape, "float32") for w in model.weights]
for j in range(num_sample):
    img_index = np.random.randint(imgset.shape[0])
    output = model(np.expand_dims(imgset[img_index], 0))
    for m in range(len(model.weights)):
        grads = K.gradients(K.log(output), model.weights)[m]
        f_accum[m] += np.square(grads)
f_accum = [f / num_sample for f in f_accum]
