# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG020@21
# Fake-quantized activations for quantization-aware training: the straight-through "gradient" is returned
# as a tensor of ones instead of a function of the upstream gradient, so tf.custom_gradient rejects it
# as soon as the forward pass runs.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


@tf.custom_gradient
def fake_quant_8bit(x):
    """Round to 8-bit levels in [0, 6] (ReLU6-style), pass the gradient straight through."""
    x = tf.clip_by_value(x, 0.0, 6.0)
    scale = 6.0 / 255.0
    q = tf.round(x / scale) * scale
    # d(round)/dx is zero almost everywhere; pretend it is the identity
    straight_through = tf.ones_like(x)
    return q, straight_through  # BUG


class QuantReLU6(keras.layers.Layer):
    def call(self, inputs):
        return fake_quant_8bit(inputs)


model = keras.Sequential([
    keras.Input((8,)),
    keras.layers.Dense(16),
    QuantReLU6(),
    keras.layers.Dense(1),
])
x = np.random.randn(32, 8).astype("float32")
y = np.random.randn(32, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
