# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG007@23
# source: https://www.developerload.com/how-to-implement-an-rnn-from-scratch-in-tensorflow
# A hand-written RNN layer that makes its initial hidden state with tf.Variable(...) inside call and is
# trained with fit.
import numpy as np
import tensorflow as tf
from tensorflow import keras


class BasicRNN(keras.layers.Layer):
    def __init__(self, num_units=8):
        super().__init__()
        self.num_units = num_units

    def build(self, input_shape):
        num_features = input_shape[-1]
        self.W_hh = self.add_weight(shape=(self.num_units, self.num_units), initializer="random_normal")
        self.W_hx = self.add_weight(shape=(num_features, self.num_units), initializer="random_normal")
        self.b_h = self.add_weight(shape=(self.num_units,), initializer="random_normal")

    def call(self, input_batch):
        h_last = tf.Variable(tf.zeros([1, self.num_units]))
        h_t = h_last
        for t in range(input_batch.shape[1]):
            h_t = tf.math.tanh(tf.matmul(h_t, self.W_hh) + tf.matmul(input_batch[:, t, :], self.W_hx) + self.b_h)
        return h_t


model = keras.Sequential([keras.Input((5, 3)), BasicRNN(8), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
x = np.random.RandomState(0).rand(16, 5, 3).astype("float32")
y = np.random.RandomState(1).rand(16, 1).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
RESULT = gradient_status([model.trainable_variables[0]])
