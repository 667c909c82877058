# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/22775 (corrected)
# The new model keeps both outputs of the reused model and the loss reads both: every weight gets a gradient.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import Conv2D

keras.utils.set_random_seed(0)


def get_test0_net():
    data_input = keras.Input(shape=(4, 4, 3))
    x0 = Conv2D(3, 3, padding="same")(data_input)
    x1 = Conv2D(3, 3, padding="same")(data_input)
    return keras.Model(data_input, [x0, x1])


def get_test1_net(test0_net):
    data_input = keras.Input(shape=(4, 4, 3))
    x0, x1 = test0_net(data_input)
    return keras.Model(data_input, [x0, x1])


test0_net = get_test0_net()
test1_net = get_test1_net(test0_net)
x = np.random.RandomState(0).rand(8, 4, 4, 3).astype("float32")
y = np.random.RandomState(1).rand(8, 4, 4, 3).astype("float32")
with tf.GradientTape() as tape:
    out0, out1 = test1_net(x, training=True)
    loss = tf.reduce_mean(tf.square(out0 - y)) + tf.reduce_mean(tf.square(out1 - y))
RESULT = gradient_status(tape.gradient(loss, test1_net.trainable_variables))
