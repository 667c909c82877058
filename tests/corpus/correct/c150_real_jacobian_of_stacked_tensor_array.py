# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/60048 (corrected)
# The jacobian of the stacked TensorArray (a tensor) w.r.t. the watched elements.
import tensorflow as tf

elems = tf.ones(shape=[2])


def init_tensor_array(elems):
    ta = tf.TensorArray(dtype=tf.float32, size=4, dynamic_size=True)
    ta = ta.write(0, elems * 2.0)
    return ta


with tf.GradientTape() as tape:
    tape.watch(elems)
    t = init_tensor_array(elems).stack()
gradient = tape.jacobian(t, elems)
RESULT = gradient_status([tf.reduce_sum(gradient)])
