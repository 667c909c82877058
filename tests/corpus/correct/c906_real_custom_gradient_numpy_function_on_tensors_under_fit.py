# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/41836
# (corrected: NumPy runs inside numpy_function on the tensors themselves; the weight passed as a tensor)
import numpy as np
import tensorflow as tf


def func(param, input):
    return (param * input**2).astype(np.float32)


def gradfunc(param, input):
    return (input**2).astype(np.float32)


@tf.custom_gradient
def func_tf(param, input):
    def grad(dy):
        g = tf.reshape(tf.numpy_function(gradfunc, (param, input), tf.float32), tf.shape(input))
        return tf.reduce_sum(dy * g), dy * 2 * param * input

    return tf.numpy_function(func, (param, input), tf.float32), grad


class myLayer(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.param = self.add_weight(name="param", shape=())

    def call(self, input):
        return tf.reshape(func_tf(tf.convert_to_tensor(self.param), input), tf.shape(input))


class myModel(tf.keras.Model):
    def __init__(self, num_layers):
        super().__init__(name="")
        self._layers = [myLayer() for _ in range(num_layers)]

    def call(self, input_tensor):
        for layer in self._layers:
            input_tensor = layer(input_tensor)
        return input_tensor


def loss(target, output):
    return tf.abs(tf.reduce_sum(target - output))


model = myModel(3)
model.compile(optimizer="adam", loss=loss)
model(np.ones((1, 1), "float32"))  # builds the layers
before = [float(l.param.numpy()) for l in model._layers]
model.fit(np.ones((8, 1), "float32"), np.zeros((8, 1), "float32"), epochs=1, verbose=0)
RESULT = gradient_status([float(l.param.numpy()) - b for l, b in zip(model._layers, before)])
