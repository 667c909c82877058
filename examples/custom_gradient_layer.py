"""A dense layer with a hand-written backward pass that damps the gradient sent to earlier layers.

BUG (TFG004): the forward function of the `@tf.custom_gradient` reads the layer's trainable
kernel, so TensorFlow requires the grad_fn to accept `variables` and to return the gradients
for them.  Without it the very first call raises
"TypeError: @tf.custom_gradient grad_fn must accept keyword argument 'variables'".
Write `def grad_fn(dy, variables=None):` and return `dx, [d_kernel]`.
"""
import tensorflow as tf
from tensorflow import keras


class DampedDense(keras.layers.Layer):
    def __init__(self, units, damping=0.1, **kwargs):
        super().__init__(**kwargs)
        self.units, self.damping = units, damping

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, inputs):
        kernel, damping = self.kernel, self.damping

        @tf.custom_gradient
        def forward(x):
            y = tf.matmul(x, kernel)

            def grad_fn(dy):
                return damping * tf.matmul(dy, kernel, transpose_b=True)

            return y, grad_fn

        return forward(inputs)


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8), DampedDense(4), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(tf.random.normal((32, 4)), tf.random.normal((32, 1)), epochs=1, verbose=0)
