# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/58614 (corrected)
# The same loss with the count made soft: the expected number of wrong predictions from the sigmoid outputs
# themselves, so every weight gets a gradient.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)


class Classifier:
    def __init__(self):
        self.model = tf.keras.Sequential(
            [tf.keras.Input((8,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1, activation="sigmoid")]
        )

    def custom_loss(self, output, prediction):
        correct_count = tf.reduce_sum(prediction * output + (1.0 - prediction) * (1.0 - output))
        incorrect_count = prediction.shape[0] - correct_count
        return incorrect_count / prediction.shape[0]

    def gradients(self, x, y):
        with tf.GradientTape() as tape:
            prediction = self.model(x, training=True)
            loss = self.custom_loss(y, prediction)
        return tape.gradient(loss, self.model.trainable_weights)


x = np.random.RandomState(0).rand(100, 8).astype("float32")
y = (np.random.RandomState(1).rand(100, 1) > 0.5).astype("float32")
RESULT = gradient_status(Classifier().gradients(x, y))
