# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG007@13
# source: https://github.com/tensorflow/tensorflow/issues/26812
# "Can't declare tf.Variable in @tf.function decorated function": the function works eagerly, but traced it
# creates a variable on its call and raises ValueError.
import tensorflow as tf


@tf.function
def f():
    a = tf.constant([[10, 10], [11., 1.]])
    x = tf.constant([[1., 0.], [0., 1.]])
    b = tf.Variable(12.)
    y = tf.matmul(a, x) + b
    return y


print(f())
RESULT = ["ok"]
