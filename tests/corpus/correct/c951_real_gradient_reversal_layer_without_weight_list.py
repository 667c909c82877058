# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/michetonu/gradient_reversal_keras_tf/issues/9 (corrected: no assignment to
# trainable_weights, the layer has no weights to declare)
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers, Model

keras = tf.keras
keras.utils.set_random_seed(0)


@tf.custom_gradient
def flip_gradient(x, hp_lambda):
    def grad(dy):
        return -dy * hp_lambda, None

    return tf.identity(x), grad


class GradientReversal(layers.Layer):
    def __init__(self, hp_lambda, **kwargs):
        super().__init__(**kwargs)
        self.hp_lambda = hp_lambda

    def call(self, x):
        return flip_gradient(x, tf.constant(self.hp_lambda))


inputs = keras.Input((8,))
features = layers.Dense(16, activation="relu")(inputs)
domain = layers.Dense(1, activation="sigmoid")(GradientReversal(0.3)(features))
model = Model(inputs, domain)
x = np.random.rand(64, 8).astype("float32")
d = np.random.randint(0, 2, (64, 1)).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(keras.losses.binary_crossentropy(d, model(x)))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
