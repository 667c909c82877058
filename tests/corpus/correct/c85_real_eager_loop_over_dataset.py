# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/38453 (the eager call the reporter compared with)
# Called eagerly, the Python loop runs the multiplications on the tape one by one: the gradient is 6.
import tensorflow as tf

dataset = tf.data.Dataset.from_tensor_slices([2., 3.])


def fun(x):
    for data in dataset:
        x = x * data
    return x


a = tf.constant(1.)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(a)
    b = fun(a)
RESULT = gradient_status([tape.gradient(b, a)])
