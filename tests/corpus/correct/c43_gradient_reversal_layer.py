# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A gradient reversal layer (domain-adversarial training): the custom_gradient returns a nested grad
# function built from the layer's scale, and a straight-through rounding op returns a lambda of dy.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def make_reverse_gradient(scale):
    @tf.custom_gradient
    def reverse_gradient(x):
        def grad(dy):
            return -scale * dy

        return tf.identity(x), grad

    return reverse_gradient


@tf.custom_gradient
def round_ste(x):
    return tf.round(x * 4.0) / 4.0, lambda dy: dy


class GradientReversal(keras.layers.Layer):
    def __init__(self, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.reverse = make_reverse_gradient(scale)

    def call(self, inputs):
        return self.reverse(inputs)


features_in = keras.Input((8,))
features = keras.layers.Dense(16, activation="relu", name="feature_extractor")(features_in)
label_logits = keras.layers.Dense(3, name="label_head")(features)
domain_logit = keras.layers.Dense(1, name="domain_head")(GradientReversal(0.5)(features))
model = keras.Model(features_in, [label_logits, domain_logit])

x = np.random.randn(32, 8).astype("float32")
y = np.random.randint(0, 3, size=(32,))
domain = (np.random.rand(32, 1) < 0.5).astype("float32")
ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
bce = keras.losses.BinaryCrossentropy(from_logits=True)
with tf.GradientTape() as tape:
    logits, d_logit = model(x, training=True)
    loss = ce(y, logits) + bce(domain, d_logit) + 0.01 * tf.reduce_mean(round_ste(logits))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
