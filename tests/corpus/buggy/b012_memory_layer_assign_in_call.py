# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG012@32
# source: https://github.com/keras-team/keras/issues/16128
# "How to propagate gradient after assign op?": a memory layer updates its memory variable with assign from what
# its controller layers compute, and returns the memory; assign is not differentiable, so the controller layers
# get no gradient ("Gradients do not exist for variables [...] when minimizing the loss").
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class MemoryLayer(keras.layers.Layer):
    def __init__(self, n_clusters=4, key_dims=8, **kwargs):
        super().__init__(**kwargs)
        self.n_clusters = n_clusters
        self.key_dims = key_dims
        self.write_controller = keras.layers.Dense(key_dims, activation="relu")
        self.key_erase_layer = keras.layers.Dense(key_dims, activation="sigmoid")
        self.key_add_layer = keras.layers.Dense(key_dims, activation="tanh")

    def build(self, input_shape):
        self.key_memory = self.add_weight(
            name="key_memory", shape=(self.n_clusters, self.key_dims), initializer="random_normal", trainable=False
        )

    def call(self, inputs):
        h = self.write_controller(inputs)
        erase = tf.reduce_mean(self.key_erase_layer(h), axis=0)
        add = tf.reduce_mean(self.key_add_layer(h), axis=0)
        self.key_memory.assign(self.key_memory * (1.0 - erase) + add)
        attention = tf.nn.softmax(tf.matmul(inputs, self.key_memory, transpose_b=True))
        return tf.matmul(attention, self.key_memory)


inputs = keras.Input((8,))
outputs = keras.layers.Dense(1)(MemoryLayer()(inputs))
model = keras.Model(inputs, outputs)
x = np.random.RandomState(0).rand(16, 8).astype("float32")
y = np.random.RandomState(1).rand(16, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
