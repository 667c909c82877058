# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/alirezaafzalaghaei/rKAN/issues/1 (corrected: PadeRKAN(3, 6), so call reads every weight)
import numpy as np
import tensorflow as tf
from tensorflow.keras.activations import elu, sigmoid
from tensorflow.keras.layers import Layer


def shifted_jacobi_polynomial(x, n, alpha, beta, zeta, a, b):
    return ((1 - zeta) * x + zeta) ** n * alpha + beta * (1 - x) ** (n - 1)


class PadeRKAN(Layer):
    def __init__(self, degree_p, degree_q, **kwargs):
        super().__init__(**kwargs)
        self.degree_p = degree_p
        self.degree_q = degree_q

    def build(self, input_shape):
        self.alpha_p = self.add_weight(name="alpha_p", shape=(1,), initializer="ones")
        self.beta_p = self.add_weight(name="beta_p", shape=(1,), initializer="ones")
        self.zeta_p = self.add_weight(name="zeta_p", shape=(1,), initializer="zeros")
        self.w_p = self.add_weight(name="w_p", shape=(self.degree_p,), initializer="ones")
        self.alpha_q = self.add_weight(name="alpha_q", shape=(1,), initializer="ones")
        self.beta_q = self.add_weight(name="beta_q", shape=(1,), initializer="ones")
        self.zeta_q = self.add_weight(name="zeta_q", shape=(1,), initializer="zeros")
        self.w_q = self.add_weight(name="w_q", shape=(self.degree_q,), initializer="ones")

    def call(self, inputs):
        x = sigmoid(inputs)
        p = self.w_p[0] + self.w_p[1] * x
        for deg in range(2, self.degree_p):
            p += self.w_p[deg] * shifted_jacobi_polynomial(x, deg, elu(self.alpha_p, 1), elu(self.beta_p, 1), sigmoid(self.zeta_p), 0, 1)
        q = self.w_q[0] + self.w_q[1] * x
        for deg in range(2, self.degree_q):
            q += self.w_q[deg] * shifted_jacobi_polynomial(x, deg, elu(self.alpha_q, 1), elu(self.beta_q, 1), sigmoid(self.zeta_q), 0, 1)
        return p / q


layer = PadeRKAN(3, 6)
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(16), layer, tf.keras.layers.Dense(3, activation="softmax")])
x = np.random.rand(8, 4).astype("float32")
y = tf.one_hot(np.random.randint(0, 3, 8), 3)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.keras.losses.categorical_crossentropy(y, model(x)))
RESULT = gradient_status(tape.gradient(loss, layer.trainable_variables))
