# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/42167
# corrected (WindQAQ's answer): the computation goes inside the lambda, which minimize() runs under its tape.
import tensorflow as tf

y_N = tf.Variable([1.0, 2.0, 3.0], name="dd")
before = y_N.numpy().copy()
loss = lambda: -tf.reduce_mean(input_tensor=tf.reduce_sum(input_tensor=tf.math.log(y_N), axis=0))
train_step = tf.compat.v1.train.AdamOptimizer(0.5).minimize(loss, var_list=[y_N])
RESULT = ["ok" if (y_N.numpy() != before).all() else "zero"]
