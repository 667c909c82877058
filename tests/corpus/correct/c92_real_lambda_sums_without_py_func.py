# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/9130 (corrected)
# The model ends at the differentiable "sums" Lambda (the identity py_func removed), so fit trains every weight.
import numpy as np
import tensorflow as tf
import keras
from keras.layers import Dense, Input, Lambda
from keras.models import Model

keras.utils.set_random_seed(0)
inputs = Input((16,))
hidden = Dense(32, activation="relu")(inputs)
scores = Dense(10)(hidden)
x_train = np.random.RandomState(0).rand(4, 16).astype(np.float32)
y_train = np.ones((4, 1), dtype=np.float32)

# (?, 10) => (?, 1)
out1 = Lambda(lambda x: tf.reduce_sum(x, axis=-1, keepdims=True), name="sums")(scores)

facenet = Model(inputs, out1)
facenet.compile(loss=keras.losses.mean_absolute_error, optimizer=keras.optimizers.Adam(learning_rate=1e-2))
before = [w.numpy().copy() for w in facenet.trainable_weights]
facenet.fit(x_train, y_train, verbose=0)
RESULT = ["ok" if not np.allclose(b, w.numpy()) else "zero" for b, w in zip(before, facenet.trainable_weights)]
