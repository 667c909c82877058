# gradls-fixture: tf-verdict=raises:NotImplementedError
# gradls-expect: TFG015@21
# source: https://github.com/keras-team/keras/issues/13050
# Physics-informed network: the derivative of the network's output with respect to an input, taken by a Lambda
# layer with tf.gradients, then fed to more layers; the model is trained with fit.
import numpy as np
import tensorflow as tf
from tensorflow import keras as k


def custom_gradient(y, x):
    return tf.gradients(y, x, unconnected_gradients="zero")


x = k.layers.Input(shape=(1,), name="x")
y = k.layers.Input(shape=(1,), name="y")
lay = k.layers.Dense(50, name="lay1")(k.layers.concatenate([x, y]))
lay = k.layers.Activation("tanh", name="tanh1")(lay)
lay = k.layers.Dense(50, name="lay2")(lay)
Txy = k.layers.Dense(1, name="Txy")(lay)
dT_dx = k.layers.Lambda(lambda F: custom_gradient(F, x)[0], name="dTdx")(Txy)
lay = k.layers.Dense(50, name="lay3")(dT_dx)
lay = k.layers.Activation("tanh", name="tanh2")(lay)
out = k.layers.Dense(1, name="out")(lay)
model = k.models.Model([x, y], out)
model.compile(optimizer="adam", loss="mse")
xs = np.random.rand(64, 1).astype("float32")
ys = np.random.rand(64, 1).astype("float32")
model.fit([xs, ys], xs * ys, epochs=1, verbose=0)
RESULT = ["ok"]
