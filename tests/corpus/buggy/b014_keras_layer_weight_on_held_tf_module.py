# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@13
# source: https://github.com/tensorflow/tensorflow/issues/47264
# A Keras layer keeps its weight in a tf.Module sub-module: Keras 3 does not track it, fit never trains it.
import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.submodule = tf.Module()
        self.submodule.var = tf.Variable(1.0)

    def call(self, inputs):
        return inputs * self.submodule.var


layer = Scale()
model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), layer])
model.compile(optimizer="sgd", loss="mse")
x = np.random.rand(32, 3).astype("float32")
before = layer.submodule.var.numpy()
model.fit(x, 2.0 * x, epochs=2, verbose=0)
RESULT = gradient_status([layer.submodule.var.numpy() - before])
