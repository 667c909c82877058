# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@20
# source: https://github.com/keras-team/keras/issues/16797
# A layer keeps its weights as tf.Variables appended to a list that starts empty. Keras does not track them
# (Keras 3 tracks no raw tf.Variable at all), so they are missing from model.trainable_variables and the
# training loop never changes them; the reporter notes self.add_weight works in every case.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class ListLayer(keras.layers.Layer):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.my_vars = []
        for i in range(n):
            self.my_vars.append(tf.Variable(tf.ones((4, 4)), name=f"var_{i}"))

    def call(self, inputs):
        x = inputs
        for v in self.my_vars:
            x = tf.matmul(x, v)
        return x


layer = ListLayer(2)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4), layer, keras.layers.Dense(1)])
optimizer = keras.optimizers.SGD(1e-2)
x = np.random.rand(16, 4).astype("float32")
y = np.random.rand(16, 1).astype("float32")
before = [v.numpy() for v in layer.my_vars]
for _ in range(3):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
RESULT = gradient_status([v.numpy() - b for v, b in zip(layer.my_vars, before)])
