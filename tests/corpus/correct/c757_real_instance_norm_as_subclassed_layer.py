# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/sumuzhao/CycleGAN-Music-Style-Transfer-Refactorization/issues/3 (corrected as the issue proposes)
# Instance norm as a subclassed layer with add_weight instead of tf.Variables made in a Lambda function.
import numpy as np
import tensorflow as tf
from tensorflow.keras import Input, Model, layers


class InstanceNorm(layers.Layer):
    def __init__(self, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        self.scale = self.add_weight(name="SCALE", shape=input_shape[-1:], initializer="ones")
        self.offset = self.add_weight(name="OFFSET", shape=input_shape[-1:], initializer="zeros")

    def call(self, x):
        mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)
        normalized = (x - mean) * tf.math.rsqrt(variance + self.epsilon)
        return self.scale * normalized + self.offset


def build_generator(name="Generator"):
    inputs = Input(shape=(16, 12, 1))
    x = layers.Conv2D(filters=8, kernel_size=3, padding="same", use_bias=False, name="CONV2D_1")(inputs)
    x = InstanceNorm(name="IN_1")(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(filters=1, kernel_size=3, padding="same", activation="sigmoid", name="CONV2D_2")(x)
    return Model(inputs=inputs, outputs=x, name=name)


generator = build_generator()
opt = tf.keras.optimizers.Adam(2e-2)
real = np.random.rand(4, 16, 12, 1).astype("float32")


@tf.function
def train_step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.abs(generator(x, training=True) - x))
    grads = tape.gradient(loss, generator.trainable_variables)
    opt.apply_gradients(zip(grads, generator.trainable_variables))
    return grads


s0 = generator.get_layer("IN_1").scale.numpy().copy()
for _ in range(3):
    grads = train_step(real)
print("scale changed:", not np.allclose(s0, generator.get_layer("IN_1").scale.numpy()))
RESULT = gradient_status(grads)
