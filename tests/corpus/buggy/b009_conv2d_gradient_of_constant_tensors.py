# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@23
# source: https://github.com/tensorflow/tensorflow/issues/50661
# "Calculation of gradient of 2D convolution operation through GradientTape returns None": the input and
# the filter are tensors made from NumPy values, never watched, so the tape records nothing for them.
import numpy as np
import tensorflow as tf

x_size = 4
w_size = 3
x_shape = (1, x_size, x_size, 1)
w_shape = (w_size, w_size, 1, 1)
strides = (1, 1, 1, 1)

x_np = np.random.RandomState(0).randint(10, size=x_shape)
w_np = np.random.RandomState(1).randint(10, size=w_shape)
x = tf.constant(x_np, dtype=tf.float32)
w = tf.constant(w_np, dtype=tf.float32)

with tf.GradientTape(persistent=True) as g:
    y = tf.nn.conv2d(x, w, strides=strides, padding="VALID")
    loss = tf.reduce_sum(y)
grads = g.gradient(loss, [x, w])
RESULT = gradient_status(grads)
