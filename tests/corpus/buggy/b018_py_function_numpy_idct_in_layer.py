# gradls-fixture: tf-verdict=raises:InvalidArgumentError
# gradls-expect: TFG018@42 TFG018@48
# source: https://github.com/tensorflow/tensorflow/issues/40717
# A quantization layer runs NumPy DCTs (SciPy's in the report) through tf.py_function: the inverse DCT that produces the
# layer's output is NumPy code inside tf.py_function, which records nothing on the tape: backpropagating to the
# learned quantization step `w` through it fails (TF 2.21: InvalidArgumentError from the gradient's Reshape; the
# report's TF 1.14 failed in backpropagation too). The first py_function, on the layer's input, is harmless here.
import numpy as np
import tensorflow as tf

# The orthonormal DCT-II matrix (what scipy.fftpack.dct(..., norm="ortho") computes), in NumPy.
_n = np.arange(10)
DCT = np.sqrt(2.0 / 10) * np.cos(np.pi * (2 * _n[None, :] + 1) * _n[:, None] / 20)
DCT[0] /= np.sqrt(2.0)


def fdct(a):
    return DCT @ a


def fdct_top(inp):
    return tf.convert_to_tensor(np.array([fdct(in_) for in_ in list(inp.numpy())]), dtype=tf.float32)


def fidct(a):
    return DCT.T @ a


def fidct_top(inp):
    return tf.convert_to_tensor(np.array([fidct(in_) for in_ in list(inp.numpy())]), dtype=tf.float32)


class MyDenseLayer(tf.keras.layers.Layer):
    def __init__(self, y_mat):
        super(MyDenseLayer, self).__init__()
        self.w_mat = y_mat

    def build(self, input_shape):
        self.w = self.add_weight(shape=(10,), initializer=tf.constant_initializer(self.w_mat), trainable=True)

    def call(self, input):
        dct_i = tf.py_function(fdct_top, (input,), "float32")
        dct_i.set_shape(tf.TensorShape((None, 10)))
        dcts_q = tf.multiply(dct_i, 1 / self.w)
        z_floored_NOT_differentiable = tf.floor(dcts_q)
        z_floored_differentiable = dcts_q - (tf.stop_gradient(dcts_q) - z_floored_NOT_differentiable)
        deq = z_floored_differentiable * self.w
        out = tf.py_function(fidct_top, (deq,), "float32")
        out.set_shape(tf.TensorShape((None, 10)))
        return out


layer = MyDenseLayer(np.full((10,), 0.5, np.float32))
x = tf.constant(np.random.rand(4, 10).astype("float32"))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(layer(x) - x))
RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
