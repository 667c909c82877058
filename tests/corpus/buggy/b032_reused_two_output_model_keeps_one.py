# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG032@22
# source: https://github.com/tensorflow/tensorflow/issues/22775
# A two-output model is reused in a new model that keeps only output 0: the Conv2D that computes only output 1 is
# among the new model's trainable variables but not on the path to the loss, so its kernel and bias get None
# gradients (Keras 3 only warns "Gradients do not exist for variables" and trains the rest).
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import Conv2D


def get_test0_net():
    data_input = keras.Input(shape=(4, 4, 3))
    x0 = Conv2D(3, 3, padding="same")(data_input)
    x1 = Conv2D(3, 3, padding="same")(data_input)
    return keras.Model(data_input, [x0, x1])


def get_test1_net(test0_net):
    data_input = keras.Input(shape=(4, 4, 3))
    x0, x1 = test0_net(data_input)
    return keras.Model(data_input, x0)


keras.utils.set_random_seed(0)
test0_net = get_test0_net()
test1_net = get_test1_net(test0_net)
x = np.random.RandomState(0).rand(8, 4, 4, 3).astype("float32")
y = np.random.RandomState(1).rand(8, 4, 4, 3).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(test1_net(x, training=True) - y))
RESULT = gradient_status(tape.gradient(loss, test1_net.trainable_variables))
