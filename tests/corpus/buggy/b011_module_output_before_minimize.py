# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@31
# source: https://github.com/tensorflow/tensorflow/issues/51489
# "ValueError: No gradients provided for any variable": a tf.Module dense layer is run once at module level;
# loss_fn only reads that precomputed output, so minimize()'s tape records nothing from the variables.
import tensorflow as tf


class Dense(tf.Module):
    def __init__(self, input_dim, output_size, name=None):
        super(Dense, self).__init__(name=name)
        self.w = tf.Variable(tf.random.normal([input_dim, output_size], seed=1), name="w")
        self.b = tf.Variable(tf.zeros([output_size]), name="b")

    def __call__(self, x):
        y = tf.matmul(x, self.w) + self.b
        return tf.nn.relu(y)


test = Dense(2, 4)
output = test([[7.0, 3]])


def loss_fn():
    y_true = tf.ones([1, 4])
    loss = tf.reduce_mean(tf.square(y_true - output))
    return loss


for i in range(3):
    train_op = tf.compat.v1.train.AdamOptimizer(0.4).minimize(loss_fn, var_list=test.trainable_variables)
RESULT = ["ok"]
