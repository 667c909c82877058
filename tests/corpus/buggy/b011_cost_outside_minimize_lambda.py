# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@10
# source: https://github.com/tensorflow/tensorflow/issues/42167
# cost is computed before minimize(); the lambda only returns the finished tensor, so no gradient reaches y_N.
import tensorflow as tf

y_N = tf.Variable([1.0, 2.0, 3.0], name="dd")
cost = -tf.reduce_mean(input_tensor=tf.reduce_sum(input_tensor=tf.math.log(y_N), axis=0))
loss = lambda: cost
train_step = tf.compat.v1.train.AdamOptimizer(0.5).minimize(loss, var_list=[y_N])
