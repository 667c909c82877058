# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/fchollet/deep-learning-with-python-notebooks/issues/181 (corrected, as the book's second
# edition does: a feature-extractor model is called on a real image under the tape, which watches the image)
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
outputs_dict = {name: model.get_layer(name).output for name in layer_contributions}
feature_extractor = keras.Model(inputs=model.inputs, outputs=outputs_dict)


def compute_loss(input_image):
    features = feature_extractor(input_image)
    loss = ops.zeros(shape=())
    for name, coeff in layer_contributions.items():
        activation = features[name]
        scaling = ops.prod(ops.cast(ops.shape(activation)[1:], "float32"))
        loss = loss + coeff * ops.sum(ops.square(activation[:, 2:-2, 2:-2, :])) / scaling
    return loss


image = tf.random.uniform((1, 32, 32, 3))
with tf.GradientTape() as gtape:
    gtape.watch(image)
    loss = compute_loss(image)
grads = gtape.gradient(loss, image)
grads /= ops.maximum(ops.mean(ops.abs(grads)), 1e-7)
RESULT = gradient_status([grads])
