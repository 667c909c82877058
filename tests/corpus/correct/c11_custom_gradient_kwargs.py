# gradls-fixture: tf-verdict=ok
# gradls-expect:
# tf.custom_gradient inside a layer: the grad_fn accepts **kwargs, which satisfies the `variables` check.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class ScaledTanh(keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, inputs):
        return self._op(inputs)

    def _op(self, x):
        scale = self.scale

        @tf.custom_gradient
        def op(x):
            t = tf.tanh(x)
            y = scale * t

            def grad_fn(dy, **kwargs):
                dx = dy * scale * (1.0 - tf.square(t))
                dscale = tf.reduce_sum(dy * t)
                return dx, [dscale]

            return y, grad_fn

        return op(x)


layer = ScaledTanh()
x = tf.random.normal((4, 3))
layer.build(x.shape)
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.square(layer(x) - 0.5))
RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
