# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/9097 (corrected as in Keras's own siamese example: the summed
# square is floored at epsilon before the square root, so an identical pair gives a finite gradient)
import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops


def euclidean_distance(vects):
    x, y = vects
    sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
    return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))


def contrastive_loss(y_true, y_pred):
    margin = 1.0
    return ops.mean(y_true * ops.square(y_pred) + (1 - y_true) * ops.square(ops.maximum(margin - y_pred, 0.0)))


base_network = keras.Sequential([keras.Input((8,)), layers.Dense(16, activation="relu"), layers.Dense(4)])
input_a = keras.Input((8,))
input_b = keras.Input((8,))
distance = layers.Lambda(euclidean_distance)([base_network(input_a), base_network(input_b)])
model = keras.Model([input_a, input_b], distance)

samples = np.random.rand(4, 8).astype("float32")
left = samples
right = np.stack([samples[0], samples[2], samples[3], samples[1]])
labels = np.array([[0.0], [0.0], [0.0], [1.0]], dtype="float32")
with tf.GradientTape() as tape:
    loss = contrastive_loss(labels, model([left, right]))
RESULT = gradient_status(tape.gradient(loss, base_network.layers[0].trainable_variables))
