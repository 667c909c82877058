# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG014@29
# source: https://github.com/michetonu/gradient_reversal_keras_tf/issues/9
# A gradient reversal layer (domain-adversarial training) ported to tf.keras: its build() empties the layer's
# weight list by assigning to self.trainable_weights, a read-only property in Keras 3.
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers, Model
import tensorflow.keras.backend as K

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

    def build(self, input_shape):
        self.trainable_weights = []

    def call(self, x):
        return flip_gradient(x, tf.constant(self.hp_lambda))


inputs = keras.Input((8,))
features = layers.Dense(16, activation="relu")(inputs)
domain = layers.Dense(1, activation="sigmoid")(GradientReversal(0.3)(features))
model = Model(inputs, domain)
model.compile(optimizer="adam", loss="binary_crossentropy")
x = np.random.rand(64, 8).astype("float32")
d = np.random.randint(0, 2, (64, 1)).astype("float32")
model.fit(x, d, epochs=1, verbose=0)
RESULT = gradient_status([model.trainable_variables[0]])
