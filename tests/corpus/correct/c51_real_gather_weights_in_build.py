# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: http://quabr.com/59726491/cannot-fit-keras-model-which-uses-tf-gather-gradients-do-not-exist
# corrected: the gathered matrix is built from self.w inside call().
import numpy as np
import tensorflow as tf


class GatherLayer(tf.keras.layers.Layer):
    def __init__(self, activation="linear", **kwargs):
        super(GatherLayer, self).__init__(**kwargs)
        self.activation = tf.keras.activations.get(activation)

    def build(self, _):
        self.w = self.add_weight(shape=(2,), name="weights", initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(1,), name="offset", initializer="random_normal", trainable=True)

    def call(self, inputs):
        m = tf.concat([tf.reshape(tf.gather(self.w, ix), (-1, 1)) for ix in [[0, 1], [1, 0]]], axis=-1)
        lin = tf.matmul(inputs, m) + self.b
        return self.activation(lin)


tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([tf.keras.Input((2,)), GatherLayer()])
x = np.random.randn(16, 2).astype("float32")
y = np.random.randn(16, 2).astype("float32")
model.compile(optimizer="adam", loss="mse")
model.fit(x, y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
