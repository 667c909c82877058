# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG016@35
# source: https://github.com/keras-team/keras/issues/19155
# A scalar-valued toy model; to avoid recording the whole graph the tape watches only the last layer's kernel,
# with watch_accessed_variables=False. Keras 3 weights are keras.Variable objects: GradientTape.watch raises
# ValueError: Passed in object <Variable ...> of type 'Variable', not tf.Tensor or tf.Variable.
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
    tape.watch(model.layers_list[-1].kernel)
    out = model(x)
dout = tape.gradient(out, model.layers_list[-1].kernel)
RESULT = gradient_status([dout])
