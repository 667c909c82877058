# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A subclassed Keras layer creating its weights in build(), trained with compile()/fit().
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class Linear(keras.layers.Layer):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return tf.matmul(inputs, self.w) + self.b


model = keras.Sequential([keras.Input((6,)), Linear(8), keras.layers.Activation("relu"), Linear(1)])
model.compile(optimizer="adam", loss="mse")
x = tf.random.normal((16, 6))
y = tf.random.normal((16, 1))
model.fit(x, y, epochs=1, batch_size=16, verbose=0)

with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x) - y))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
