# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@20 TFG015@22
# source: https://github.com/tensorflow/tensorflow/issues/31264
# "GradientTape() unable to compute the gradient wrt Keras model inputs": the step watches `model.inputs` (the
# model's symbolic Input, not the batch it is called on) and asks for the gradient w.r.t. it.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential(
    [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)]
)
loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def train_step(images, labels):
    with tf.GradientTape() as tape:
        predictions = model(images)
        tape.watch(model.inputs)
        loss = loss_object(labels, predictions)
    return tape.gradient(loss, model.inputs)


images = np.random.RandomState(0).rand(5, 4).astype("float32")
labels = np.array([0, 1, 2, 1, 0])
RESULT = gradient_status(train_step(images, labels))
