# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@20
# source: https://github.com/tensorflow/tensorflow/issues/51131
# Gradient checkpointing of a functional-model block: tf.recompute_grad wraps a function of Keras layers, and the
# wrapped function is called on the symbolic Input while the model is built.
import tensorflow as tf
from tensorflow.keras.layers import Conv2D, Input
from tensorflow.keras.models import Model


def block(x):
    x = Conv2D(filters=4, kernel_size=(3, 3))(x)
    x = Conv2D(filters=4, kernel_size=(3, 3))(x)
    return x


block = tf.recompute_grad(block)

input = Input(shape=(16, 16, 3))
block_1 = block(input)
block_2 = block(block_1)
model = Model(input, block_2)
