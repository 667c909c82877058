# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@32
# source: https://github.com/fchollet/deep-learning-with-python-notebooks/issues/181
# DeepDream (the book's listing 8-11) ported from K.gradients to a GradientTape: the loss is built from the layers'
# symbolic outputs (layer.output) and differentiated with respect to model.input. Keras 3 has no K.variable /
# K.sum / K.square / K.prod, so they are written with keras.Variable and keras.ops (the reporter's
# K.set_learning_phase(0) is dropped: Keras 3 has none); InceptionV3 is a small convolutional network with the same
# layer names (no weights to download).
import numpy as np
import tensorflow as tf
import keras
from keras import layers, ops

inp = keras.Input((32, 32, 3))
h = inp
for name in ("mixed2", "mixed3", "mixed4", "mixed5"):
    h = layers.Conv2D(4, 3, padding="same", activation="relu", name=name)(h)
model = keras.Model(inp, h)

layer_contributions = {"mixed2": 0.2, "mixed3": 3.0, "mixed4": 2.0, "mixed5": 1.5}
layer_dict = dict([(layer.name, layer) for layer in model.layers])
loss = keras.Variable(0.0)
for layer_name in layer_contributions:
    coeff = layer_contributions[layer_name]
    activation = layer_dict[layer_name].output
    scaling = ops.prod(ops.cast(ops.shape(activation)[1:], "float32"))
    loss = loss + coeff * ops.sum(ops.square(activation[:, 2:-2, 2:-2, :])) / scaling

dream = model.input

with tf.GradientTape() as gtape:
    grads = gtape.gradient(loss, dream)[0]

grads /= ops.maximum(ops.mean(ops.abs(grads)), 1e-7)
RESULT = gradient_status([grads])
