# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG020@18
# Domain-adversarial training (DANN): the gradient reversal op calls its grad function instead of returning
# it, so tf.custom_gradient gets a tensor where it needs a callable and fails on the forward pass.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
HP_LAMBDA = 0.3  # strength of the domain-confusion gradient


@tf.custom_gradient
def reverse_gradient(x):
    def grad(dy):
        return -HP_LAMBDA * dy

    return tf.identity(x), grad(x)


class GradientReversal(keras.layers.Layer):
    def call(self, inputs):
        return reverse_gradient(inputs)


features_in = keras.Input((8,))
features = keras.layers.Dense(16, activation="relu")(features_in)
label_logits = keras.layers.Dense(3)(features)
domain_logit = keras.layers.Dense(1)(GradientReversal()(features))
model = keras.Model(features_in, [label_logits, domain_logit])

x = np.random.randn(32, 8).astype("float32")
with tf.GradientTape() as tape:
    logits, d_logit = model(x, training=True)
    loss = tf.reduce_mean(tf.square(logits)) + tf.reduce_mean(tf.square(d_logit))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
