# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG017@27
# source: modelled on Keras 3 custom-layer usage (a learnable gain made non-trainable by mistake)
# The only weight of Gain is add_weight(..., trainable=False): gain.trainable_weights is [], tape.gradient
# returns [] and apply_gradients(zip(grads, ...)) raises `ValueError: not enough values to unpack` (TF 2.21).
import numpy as np
import tensorflow as tf
from tensorflow import keras


class Gain(keras.layers.Layer):
    def build(self, input_shape):
        self.g = self.add_weight(shape=(input_shape[-1],), initializer="ones", trainable=False, name="g")

    def call(self, x):
        return x * self.g


gain = Gain()
gain.build((None, 4))
opt = keras.optimizers.SGD(0.1)
x = np.random.randn(32, 4).astype("float32")
y = 3.0 * x
for step in range(3):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(gain(x) - y))
    grads = tape.gradient(loss, gain.trainable_weights)
    opt.apply_gradients(zip(grads, gain.trainable_weights))
    print(step, float(loss), gain.g.numpy())
