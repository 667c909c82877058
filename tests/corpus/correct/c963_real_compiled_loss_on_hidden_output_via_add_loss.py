# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://stackoverflow.com/questions/51257037 (corrected: the hidden layer's sum reaches the loss through
# a layer's add_loss, computed on the tensors the step runs, not on the functional graph's KerasTensor)
import numpy as np
import tensorflow as tf
from tensorflow.keras import Input, Model, layers
from tensorflow.keras.layers import Dense


class SumPenalty(layers.Layer):
    def call(self, inputs):
        self.add_loss(tf.reduce_sum(inputs))
        return inputs


input_1 = Input((5,))
hidden = Dense(2)
hidden_a = SumPenalty()(hidden(input_1))
output = Dense(1)(hidden_a)
m3 = Model(input_1, output)
x = np.random.random(size=(10, 5)).astype("float32")
y = np.random.random(size=(10, 1)).astype("float32")
with tf.GradientTape() as tape:
    y_pred = m3(x)
    loss = tf.reduce_mean(tf.square(y - y_pred)) + tf.add_n(m3.losses)
RESULT = gradient_status(tape.gradient(loss, hidden.trainable_variables))
