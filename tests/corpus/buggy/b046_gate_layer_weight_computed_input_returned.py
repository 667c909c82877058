# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG046@11
# A gating layer computes its gate from its weight and returns its input: the weight gets no gradient.
import keras
import numpy as np
import tensorflow as tf


class Gate(keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        gated = x * tf.sigmoid(self.w)
        self.last_gate = gated
        return x


model = keras.Sequential([keras.Input((3,)), Gate(), keras.layers.Dense(1)])
x = np.random.rand(4, 3).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(model(x) ** 2)
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads[:1])
