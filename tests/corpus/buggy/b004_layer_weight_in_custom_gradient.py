# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG004@25
# A layer wraps its forward in @tf.custom_gradient and reads its own kernel; grad_fn lacks `variables`.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class GradScaledDense(keras.layers.Layer):
    def __init__(self, units, scale=0.5, **kwargs):
        super().__init__(**kwargs)
        self.units, self.scale = units, scale

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units))

    def call(self, inputs):
        kernel, scale = self.kernel, self.scale

        @tf.custom_gradient
        def forward(x):
            y = tf.matmul(x, kernel)

            def grad_fn(dy):  # BUG
                return scale * tf.matmul(dy, kernel, transpose_b=True)

            return y, grad_fn

        return forward(inputs)


model = keras.Sequential([keras.Input((3,)), GradScaledDense(4), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
model.fit(tf.random.normal((8, 3)), tf.random.normal((8, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
