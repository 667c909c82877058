# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/16797 (corrected)
# The reporter's note: with self.add_weight the variables appended to the list are tracked and trained.
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
            self.my_vars.append(self.add_weight(shape=(4, 4), initializer="ones", name=f"var_{i}"))

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
