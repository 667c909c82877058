# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/38607 (corrected)
# The dropout probability is taken from the logit weight in call (`p = sigmoid(p_logit)` each step), so the
# logit gets a gradient from both the loss and the add_loss regulariser.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


class ConcreteDropout(keras.layers.Wrapper):
    def __init__(self, layer, weight_regularizer=1e-6, dropout_regularizer=1e-5, **kwargs):
        super().__init__(layer, **kwargs)
        self.weight_regularizer = weight_regularizer
        self.dropout_regularizer = dropout_regularizer

    def build(self, input_shape=None):
        self.layer.build(input_shape)
        self.p_logit = self.add_weight(
            name="p_logit", shape=(1,), initializer=keras.initializers.RandomUniform(-2.0, 0.0, seed=1)
        )
        self.input_dim = input_shape[-1]

    def concrete_dropout(self, x, p):
        eps = 1e-7
        unif_noise = tf.random.uniform(tf.shape(x), seed=3)
        drop_prob = (
            tf.math.log(p + eps) - tf.math.log(1.0 - p + eps)
            + tf.math.log(unif_noise + eps) - tf.math.log(1.0 - unif_noise + eps)
        )
        drop_prob = tf.sigmoid(drop_prob / 0.1)
        return x * (1.0 - drop_prob) / (1.0 - p)

    def call(self, inputs):
        p = tf.sigmoid(self.p_logit[0])
        weight = self.layer.kernel
        kernel_reg = self.weight_regularizer * tf.reduce_sum(tf.square(weight)) / (1.0 - p)
        dropout_reg = p * tf.math.log(p) + (1.0 - p) * tf.math.log(1.0 - p)
        self.add_loss(kernel_reg + self.dropout_regularizer * self.input_dim * dropout_reg)
        return self.layer(self.concrete_dropout(inputs, p))


model = keras.Sequential([keras.Input((4,)), ConcreteDropout(keras.layers.Dense(1))])
x = np.random.RandomState(0).rand(8, 4).astype("float32")
y = np.random.RandomState(1).rand(8, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x, training=True) - y)) + tf.add_n(model.losses)
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
