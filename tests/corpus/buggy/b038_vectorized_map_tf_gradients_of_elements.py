# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG038@21
# source: https://github.com/tensorflow/probability/issues/614
# Per-element gradients of a vectorized function, asked for with tf.gradients inside tf.vectorized_map: the
# mapped function is traced on its own graph, where the elements are fresh inputs unconnected to `x`.
import tensorflow as tf

x = tf.Variable(1.0)
z = tf.ones(4)


def f(x, a):
    return x * x * a


with tf.GradientTape(persistent=True) as t:
    t.watch([x])
    l = tf.split(tf.vectorized_map(lambda k: f(x, k), z), 4)
    y = f(x, z)

grads = tf.vectorized_map(lambda m: tf.gradients(m, [x]), tf.stack(l))
RESULT = gradient_status(grads)
