# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/32729 (corrected)
# The noisy kernel and bias are formed in call from the weights (fresh noise per call), so mu and sigma train.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class NoisyDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        n_in = input_shape[-1]
        self.w_mu = self.add_weight(name="w_mu", shape=(n_in, self.units), initializer="glorot_uniform")
        self.w_sigma = self.add_weight(
            name="w_sigma", shape=(n_in, self.units), initializer=keras.initializers.Constant(0.017)
        )
        self.b_mu = self.add_weight(name="b_mu", shape=(self.units,), initializer="zeros")
        self.b_sigma = self.add_weight(
            name="b_sigma", shape=(self.units,), initializer=keras.initializers.Constant(0.017)
        )

    def call(self, inputs):
        kernel = self.w_mu + self.w_sigma * tf.random.normal(tf.shape(self.w_mu), seed=1)
        bias = self.b_mu + self.b_sigma * tf.random.normal(tf.shape(self.b_mu), seed=2)
        return tf.matmul(inputs, kernel) + bias


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), NoisyDense(3)])
x = np.random.RandomState(0).rand(8, 4).astype("float32")
y = np.random.RandomState(1).rand(8, 3).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
