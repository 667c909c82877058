# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/47264 (corrected: the weight made with add_weight)
import numpy as np
import tensorflow as tf


class Scale(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.var = self.add_weight(shape=(), initializer="ones", name="var")

    def call(self, inputs):
        return inputs * self.var


layer = Scale()
model = tf.keras.Sequential([tf.keras.Input(shape=(3,)), layer])
model.compile(optimizer="sgd", loss="mse")
x = np.random.rand(32, 3).astype("float32")
before = layer.var.numpy()
model.fit(x, 2.0 * x, epochs=2, verbose=0)
RESULT = gradient_status([layer.var.numpy() - before])
