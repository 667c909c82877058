# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/40717 (corrected)
# The DCTs are TensorFlow ops (tf.signal.dct / idct, type II / III orthonormal): recorded on the tape, so the
# quantization step `w` gets a gradient through the straight-through floor.
import numpy as np
import tensorflow as tf


class MyDenseLayer(tf.keras.layers.Layer):
    def __init__(self, y_mat):
        super(MyDenseLayer, self).__init__()
        self.w_mat = y_mat

    def build(self, input_shape):
        self.w = self.add_weight(shape=(10,), initializer=tf.constant_initializer(self.w_mat), trainable=True)

    def call(self, input):
        dct_i = tf.signal.dct(input, type=2, norm="ortho")
        dcts_q = tf.multiply(dct_i, 1 / self.w)
        z_floored_NOT_differentiable = tf.floor(dcts_q)
        z_floored_differentiable = dcts_q - (tf.stop_gradient(dcts_q) - z_floored_NOT_differentiable)
        deq = z_floored_differentiable * self.w
        return tf.signal.idct(deq, type=2, norm="ortho")


layer = MyDenseLayer(np.full((10,), 0.5, np.float32))
x = tf.constant(np.random.rand(4, 10).astype("float32"))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(layer(x) - x))
RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
