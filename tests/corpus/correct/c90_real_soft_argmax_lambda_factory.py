# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/Mainak431/List-of-Differentiable--OPs-and-Non-differentiable-OPs--in-Tensorflow/issues/4 (corrected)
# The factory's Lambda computes a soft argmax (the softmax-weighted index), which has a gradient, so fit
# trains the Dense layer.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense, Input, Lambda
from tensorflow.keras.models import Model
from tensorflow.keras.optimizers import SGD

tf.random.set_seed(0)


def ArgMax():
    return Lambda(lambda q: tf.reduce_sum(tf.nn.softmax(q, axis=2) * tf.range(3, dtype=q.dtype), axis=2))


inputs1 = Input(shape=(1, 1))
d = Dense(3)(inputs1)
out = ArgMax()(d)

model = Model(inputs=[inputs1], outputs=[out], name="test")
model.compile(SGD(0.1), loss="mae")
before = [w.numpy().copy() for w in model.trainable_weights]
model.fit(x=[np.ones((100, 1, 1))], y=[np.zeros((100, 1))], batch_size=100, verbose=0, epochs=2)
RESULT = ["ok" if not np.allclose(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
