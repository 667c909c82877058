# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/19155 (corrected)
# The tape watches the tf.Variable behind the Keras variable (kernel.value); the gradient is taken with respect
# to the Keras variable as usual, still with watch_accessed_variables=False.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(1234)


class toy_model(keras.Model):
    def __init__(self, **kwargs):
        super(toy_model, self).__init__()
        self.layers_list = []
        self.layers_list.append(keras.layers.Dense(units=16, activation="tanh", use_bias=True))
        self.layers_list.append(keras.layers.Dense(units=32, activation="tanh", use_bias=True))
        self.layers_list.append(keras.layers.Dense(units=8, activation="tanh", use_bias=True))
        self.layers_list.append(keras.layers.Dense(units=1, activation=None, use_bias=False))

    def call(self, x):
        for layer in self.layers_list:
            x = layer(x)
        return x


model = toy_model()
x = np.expand_dims(np.linspace(0, 10, num=20), axis=1).astype("float32")
x = tf.convert_to_tensor(x)
model(x)

with tf.GradientTape(watch_accessed_variables=False) as tape:
    tape.watch(model.layers_list[-1].kernel.value)
    out = model(x)
dout = tape.gradient(out, model.layers_list[-1].kernel)
RESULT = gradient_status([dout])
