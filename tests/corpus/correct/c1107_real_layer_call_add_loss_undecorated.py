# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/32058 (corrected: `call` is not decorated, so the loss
# `add_loss` records is an ordinary tensor of the caller's execution and `predictor.losses` can be read and
# differentiated)
import tensorflow as tf

K = tf.keras
L = K.layers


class Predictor(L.Layer):
    """generates inputs and returns a surprise value"""

    def __init__(self, units):
        super(Predictor, self).__init__()
        self.units = units

    def build(self, shape):
        self.attention = L.Dense(self.units, activation="tanh")
        self.subtract = L.Subtract()
        self.built = True

    def call(self, x):
        noise = tf.random.normal(tf.shape(x))
        p = self.attention(noise)
        surprise = self.subtract([x, p])
        self.add_loss(tf.reduce_mean(tf.square(surprise)))
        return surprise


predictor = Predictor(4)
x = tf.random.normal((8, 4))
with tf.GradientTape() as tape:
    out = predictor(x)
    loss = tf.add_n(predictor.losses)
RESULT = gradient_status(tape.gradient(loss, predictor.trainable_variables))
