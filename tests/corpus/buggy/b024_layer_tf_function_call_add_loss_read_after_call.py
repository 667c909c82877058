# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG024@30
# source: https://github.com/tensorflow/tensorflow/issues/32058
# A custom layer whose `@tf.function` `call` adds an input-dependent loss with `add_loss`. The loss tensor is
# made in that function's own graph, and reading `predictor.losses` after the call raises TypeError: ... is out
# of scope and cannot be used here. The reporter's attention/resizer sublayers are one Dense.
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

    @tf.function
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
