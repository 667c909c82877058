# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG041@26
# source: https://github.com/tensorflow/tensorflow/issues/36870
# The TF 1 override (RegisterGradient + gradient_override_map) entered around the forward pass under a
# GradientTape, in the straight-through form of binarized networks: the tape differentiates tf.sign with its own
# gradient (zeros), not Identity, so the real-valued kernel never trains.
import numpy as np
import tensorflow as tf


class BinaryDense(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], 1), initializer="glorot_uniform")

    def call(self, x, w_bin):
        return tf.matmul(x, w_bin)


layer = BinaryDense()
x = tf.constant(np.random.rand(8, 4), tf.float32)
y = tf.constant(np.random.rand(8, 1), tf.float32)
layer.build(x.shape)
g = tf.compat.v1.get_default_graph()
with tf.GradientTape() as tape:
    w = layer.kernel
    with g.gradient_override_map({"Sign": "Identity"}):
        w_bin = tf.sign(w)
    loss = tf.reduce_mean(tf.square(layer(x, w_bin) - y))
grads = tape.gradient(loss, layer.trainable_variables)
print(grads)
RESULT = gradient_status(grads)
