# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/22775 (corrected: a new graph of the kept output)
# The new model is built from the reused model's input and output-0 tensors, so it holds only the layers output 0
# is computed through: every one of its weights gets a gradient.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import Conv2D


def get_test0_net():
    data_input = keras.Input(shape=(4, 4, 3))
    x0 = Conv2D(3, 3, padding="same")(data_input)
    x1 = Conv2D(3, 3, padding="same")(data_input)
    return keras.Model(data_input, [x0, x1])


keras.utils.set_random_seed(0)
test0_net = get_test0_net()
test1_net = keras.Model(test0_net.inputs, test0_net.outputs[0])
x = np.random.RandomState(0).rand(8, 4, 4, 3).astype("float32")
y = np.random.RandomState(1).rand(8, 4, 4, 3).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(test1_net(x, training=True) - y))
RESULT = gradient_status(tape.gradient(loss, test1_net.trainable_variables))
