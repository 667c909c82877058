# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG008@12
# source: https://github.com/tensorflow/tensorflow/issues/38453
# "Gradient not registered in autograph mode with tf.data.Dataset loop": under tf.function the loop over the
# dataset becomes a dataset reduction whose body the tape cannot differentiate: the gradient is None.
import tensorflow as tf

dataset = tf.data.Dataset.from_tensor_slices([2., 3.])


def fun(x):
    for data in dataset:
        x = x * data
    return x


decorated_fun = tf.function(fun)

a = tf.constant(1.)
with tf.GradientTape(persistent=True) as tape:
    tape.watch(a)
    c = decorated_fun(a)
RESULT = gradient_status([tape.gradient(c, a)])
