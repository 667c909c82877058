# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG036@12
# source: https://github.com/tensorflow/tensorflow/issues/7643
# Per-example gradients of a linear layer's outputs with respect to its weight, one tf.gradients per row through
# tf.map_fn (the batch size is not fixed), in a TF 2 script.
import numpy as np
import tensorflow as tf

W = tf.Variable(tf.random.normal((5, 3)), name="W")
x = tf.constant(np.random.rand(4, 5), tf.float32)
h = tf.matmul(x, W)
grads = tf.map_fn(lambda x: tf.gradients(x, W)[0], h)
RESULT = gradient_status([grads])
