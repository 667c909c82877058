# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG013@16
# source: https://github.com/tensorflow/tensorflow/issues/73631
# "Unable to train/take gradient of integer variable under any condition": a Keras 3 layer's weight is made with
# add_variable(dtype=tf.int32) and used through a @tf.custom_gradient op; fit says no gradients for any variable
# (a float32 weight trains).
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class TestLayer(keras.layers.Layer):
    def build(self, input_shape):
        self.var = self.add_variable((1,), initializer="zeros", dtype=tf.int32)

    @tf.custom_gradient
    def op(input, var):
        def grad(upstream, variables=None):
            return tf.squeeze(upstream * tf.cast(var, tf.float32), axis=[1]), tf.squeeze(
                upstream * tf.cast(input, tf.float32), axis=[1]
            )

        return tf.cast(input, tf.float32) * tf.cast(var, tf.float32), grad

    def call(self, input):
        return TestLayer.op(input, self.var)


input_layer = keras.Input((1,), name="input_layer", dtype=tf.int32)
test_layer = TestLayer()
output = test_layer(input_layer)
model = keras.Model(inputs=[input_layer], outputs=[output], name="model")
values = np.array([[i] for i in range(8)], dtype="int32")
targets = 3.0 * values.astype("float32")
model.compile(optimizer="adam", loss="mse")
model.fit(values, targets, epochs=1, verbose=0)
RESULT = ["ok"]
