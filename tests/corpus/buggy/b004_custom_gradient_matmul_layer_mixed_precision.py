# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG004@17
# source: https://github.com/keras-team/tf-keras/issues/197
# "tf.keras.mixed_precision causes error when using tf.custom_gradient": a custom dense layer calls a
# @tf.custom_gradient matmul with its kernel; the kernel variable is read inside the custom-gradient function,
# so TF requires grad_fn to accept `variables` and raises TypeError at the forward call.
import numpy as np
import tensorflow as tf

tf.keras.mixed_precision.set_global_policy("mixed_float16")


@tf.custom_gradient
def custom_matmul(x, w):
    y = tf.matmul(x, w)

    def grad(dy):
        return tf.matmul(dy, w, transpose_b=True), tf.matmul(x, dy, transpose_a=True)

    return y, grad


class CustomDense(tf.keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel")

    def call(self, inputs):
        return custom_matmul(inputs, self.kernel)


try:
    layer = CustomDense(4)
    x = tf.constant(np.random.RandomState(0).rand(2, 3).astype("float16"))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.cast(layer(x), tf.float32))
    RESULT = gradient_status(tape.gradient(y, layer.trainable_variables))
finally:
    tf.keras.mixed_precision.set_global_policy("float32")  # the policy is global: leave it as it was
