# gradls-fixture: tf-verdict=raises:NotImplementedError
# gradls-expect: TFG015@23
# source: https://github.com/keras-team/keras/issues/13050
# Physics-informed network: a Lambda computes dT/dx with `tf.gradients(F, x)`, where `x` is the functional model's
# Input captured from outside the Lambda's inputs. Keras 3 calls the function on placeholders to infer its output,
# and a KerasTensor cannot enter `tf.gradients`: NotImplementedError (could not infer the Lambda's output shape);
# with `output_shape` given, ValueError: A KerasTensor cannot be used as input to a TensorFlow function.
import numpy as np
import tensorflow as tf
import keras as k


def custom_gradient(y, x):
    return tf.gradients(y, x, unconnected_gradients="zero")


x = k.layers.Input(shape=(1,), name="x")
y = k.layers.Input(shape=(1,), name="y")
lay = k.layers.Dense(50, name="lay1")(k.layers.concatenate([x, y]))
lay = k.layers.Activation("tanh", name="tanh1")(lay)
lay = k.layers.Dense(50, name="lay2")(lay)
Txy = k.layers.Dense(1, name="Txy")(lay)
dT_dx = k.layers.Lambda(lambda F: custom_gradient(F, x))(Txy)
lay = k.layers.Dense(50, name="lay3")(dT_dx)
out = k.layers.Dense(1, name="out")(lay)
model = k.models.Model([x, y], out)
model.compile(optimizer="adam", loss="mse")
model.fit([np.random.rand(8, 1), np.random.rand(8, 1)], np.random.rand(8, 1), epochs=1, verbose=0)
RESULT = "ok"
