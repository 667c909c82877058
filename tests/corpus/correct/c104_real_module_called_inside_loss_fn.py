# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/51489 (corrected)
# loss_fn runs the layer itself, so minimize()'s tape sees the variables and both get gradients.
import tensorflow as tf


class Dense(tf.Module):
    def __init__(self, input_dim, output_size, name=None):
        super(Dense, self).__init__(name=name)
        self.w = tf.Variable(tf.random.normal([input_dim, output_size], seed=1), name="w")
        self.b = tf.Variable(tf.ones([output_size]), name="b")

    def __call__(self, x):
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


test = Dense(2, 4)


def loss_fn():
    y_true = tf.ones([1, 4])
    output = test([[7.0, 3]])
    loss = tf.reduce_mean(tf.square(y_true - output))
    return loss


for i in range(3):
    train_op = tf.compat.v1.train.AdamOptimizer(0.01).minimize(loss_fn, var_list=test.trainable_variables)
with tf.GradientTape() as tape:
    value = loss_fn()
RESULT = gradient_status(tape.gradient(value, test.trainable_variables))
