# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/13050 (corrected: the Lambda receives both the output and the
# input as its own inputs, so tf.gradients differentiates tensors of the graph fit traces)
import numpy as np
import tensorflow as tf
from tensorflow import keras as k

k.utils.set_random_seed(0)


def custom_gradient(y, x):
    return tf.gradients(y, x, unconnected_gradients="zero")


x = k.layers.Input(shape=(1,), name="x")
y = k.layers.Input(shape=(1,), name="y")
lay = k.layers.Dense(50, name="lay1")(k.layers.concatenate([x, y]))
lay = k.layers.Activation("tanh", name="tanh1")(lay)
lay = k.layers.Dense(50, name="lay2")(lay)
Txy = k.layers.Dense(1, name="Txy")(lay)
dT_dx = k.layers.Lambda(lambda F: custom_gradient(F[0], F[1])[0], output_shape=(1,), name="dTdx")([Txy, x])
lay = k.layers.Dense(50, name="lay3")(dT_dx)
lay = k.layers.Activation("tanh", name="tanh2")(lay)
out = k.layers.Dense(1, name="out")(lay)
model = k.models.Model([x, y], out)
model.compile(optimizer="adam", loss="mse")
xs = np.random.rand(64, 1).astype("float32")
ys = np.random.rand(64, 1).astype("float32")
before = tf.identity(model.get_layer("lay1").kernel)
model.fit([xs, ys], xs * ys, epochs=1, verbose=0)
RESULT = gradient_status([model.get_layer("lay1").kernel - before])
