# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@18
# source: https://stackoverflow.com/questions/51257037 (mirrored at https://thinbug.com/q/51257037)
# A compiled loss that ignores y_true and y_pred and sums a hidden layer's output, read from the functional
# model's graph through the closure.
import numpy as np
import tensorflow as tf
from tensorflow.keras import Input, Model
from tensorflow.keras.layers import Dense

input_1 = Input((5,))
hidden_a = Dense(2)(input_1)
output = Dense(1)(hidden_a)
m3 = Model(input_1, output)


def myLoss(y_true, y_pred):
    return tf.reduce_sum(hidden_a)


m3.compile(optimizer="adam", loss=myLoss)
x = np.random.random(size=(10, 5)).astype("float32")
y = np.random.random(size=(10, 1)).astype("float32")
m3.fit(x, y, epochs=2, verbose=0)
RESULT = ["ok"]
