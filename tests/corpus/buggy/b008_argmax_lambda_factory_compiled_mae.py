# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@16
# source: https://github.com/Mainak431/List-of-Differentiable--OPs-and-Non-differentiable-OPs--in-Tensorflow/issues/4
# "Incorrect list": a factory returns Lambda(lambda q: tf.math.argmax(q, 2)) as the model's last layer;
# argmax has no gradient, so fit() finds no gradient for any variable.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense, Input, Lambda
from tensorflow.keras.models import Model
from tensorflow.keras.optimizers import SGD

tf.random.set_seed(0)


def ArgMax():
    return Lambda(lambda q: tf.math.argmax(q, 2))


inputs1 = Input(shape=(1, 1))
d = Dense(3)(inputs1)
out = ArgMax()(d)

model = Model(inputs=[inputs1], outputs=[out], name="test")
model.compile(SGD(0.1), loss="mae")
model.fit(x=[np.ones((100, 1, 1))], y=[np.zeros((100, 1))], batch_size=100, verbose=0, epochs=2)
RESULT = ["ok"]
