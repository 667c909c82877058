# gradls-fixture: tf-verdict=ok
# gradls-expect:
# NumPy on static shapes and Python numbers inside Layer.call under fit(): shapes are not tensors.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class FlattenProject(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        flat = int(np.prod(input_shape[1:]))
        self.kernel = self.add_weight(shape=(flat, self.units), initializer="glorot_uniform")

    def call(self, inputs):
        flat = int(np.prod(inputs.shape[1:]))
        x = tf.reshape(inputs, (-1, flat))
        return tf.matmul(x, self.kernel) / np.sqrt(flat)


model = keras.Sequential([keras.Input((3, 4)), FlattenProject(5), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
x = tf.random.normal((8, 3, 4))
y = tf.random.normal((8, 1))
model.fit(x, y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
