# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/73631 (corrected)
# The same layer with a float32 weight, read into a tensor before the custom-gradient op (a Keras 3 variable passed
# as the argument itself makes TF expect a `variables` gradient too): the weight gets its gradient.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class TestLayer(keras.layers.Layer):
    def build(self, input_shape):
        self.var = self.add_variable((1,), initializer="zeros", dtype=tf.float32)

    @tf.custom_gradient
    def op(input, var):
        def grad(upstream, variables=None):
            return tf.squeeze(upstream * var, axis=[1]), tf.squeeze(upstream * tf.cast(input, tf.float32), axis=[1])

        return tf.cast(input, tf.float32) * var, grad

    def call(self, input):
        return TestLayer.op(input, tf.convert_to_tensor(self.var))


input_layer = keras.Input((1,), name="input_layer", dtype=tf.int32)
test_layer = TestLayer()
output = test_layer(input_layer)
model = keras.Model(inputs=[input_layer], outputs=[output], name="model")
values = np.array([[i] for i in range(8)], dtype="int32")
targets = 3.0 * values.astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(values) - targets))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
