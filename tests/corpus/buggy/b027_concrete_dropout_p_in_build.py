# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG027@25
# source: https://github.com/tensorflow/tensorflow/issues/38607
# "Gradients do not exist for variables manually added to wrapper layer": a concrete-dropout Wrapper ported to
# TF 2 adds its dropout logit with add_weight and takes `self.p = sigmoid(p_logit)` in build; under TF 2 that is
# a constant computed once, so the dropout logit gets no gradient from the loss or from the add_loss regulariser.
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
        self.p = tf.sigmoid(self.p_logit[0])
        self.input_dim = input_shape[-1]

    def concrete_dropout(self, x):
        eps = 1e-7
        unif_noise = tf.random.uniform(tf.shape(x), seed=3)
        drop_prob = (
            tf.math.log(self.p + eps) - tf.math.log(1.0 - self.p + eps)
            + tf.math.log(unif_noise + eps) - tf.math.log(1.0 - unif_noise + eps)
        )
        drop_prob = tf.sigmoid(drop_prob / 0.1)
        return x * (1.0 - drop_prob) / (1.0 - self.p)

    def call(self, inputs):
        weight = self.layer.kernel
        kernel_reg = self.weight_regularizer * tf.reduce_sum(tf.square(weight)) / (1.0 - self.p)
        dropout_reg = self.p * tf.math.log(self.p) + (1.0 - self.p) * tf.math.log(1.0 - self.p)
        self.add_loss(kernel_reg + self.dropout_regularizer * self.input_dim * dropout_reg)
        return self.layer(self.concrete_dropout(inputs))


model = keras.Sequential([keras.Input((4,)), ConcreteDropout(keras.layers.Dense(1))])
x = np.random.RandomState(0).rand(8, 4).astype("float32")
y = np.random.RandomState(1).rand(8, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x, training=True) - y)) + tf.add_n(model.losses)
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
