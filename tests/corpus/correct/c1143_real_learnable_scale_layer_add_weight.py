# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/4608
# Corrected as the Keras documentation advises (a Lambda layer holds no weights): the learnable scale is a
# subclassed layer whose scalar is made with add_weight, so the model tracks it and fit trains it (RESULT).
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import Activation, Input, Layer
from tensorflow.keras.models import Model

N = 11
my_input = Input(shape=(N,), name="input")


class Scale(Layer):
    def build(self, input_shape):
        self.w = self.add_weight(name="w_g", shape=(), initializer="ones")

    def call(self, x):
        return x * self.w


scale = Scale(name="softmax_scale")
scaled = scale(my_input)
my_out = Activation("softmax", name="softmax")(scaled)
gating = Model(my_input, my_out, name="gating")
gating.compile(optimizer="adam", loss="categorical_crossentropy")
x = np.random.rand(32, N).astype("float32")
y = np.eye(N)[np.random.randint(0, N, 32)].astype("float32")
gating.fit(x, y, epochs=2, verbose=0)
RESULT = ["ok" if float(scale.w.numpy()) != 1.0 else "zero"]
