# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/31264 (corrected)
# The batch itself is made a tensor and watched before the forward pass (the maintainers' answer).
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)]
)
loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def train_step(images, labels):
    images = tf.convert_to_tensor(images)
    with tf.GradientTape() as tape:
        tape.watch(images)
        predictions = model(images)
        loss = loss_object(labels, predictions)
    return tape.gradient(loss, images)


images = np.random.RandomState(0).rand(5, 4).astype("float32")
labels = np.array([0, 1, 2, 1, 0])
RESULT = gradient_status([train_step(images, labels)])
