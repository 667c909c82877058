# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG038@24
# source: https://github.com/tensorflow/tensorflow/issues/50278
# A second gradient taken with tf.gradients inside the body of a tf.while_loop, of a first gradient the tape gave
# outside the loop (in a tf.function): the body sees the first gradient as a captured input, so the second is None.
import tensorflow as tf

var = tf.Variable([1.0, 2.0])


@tf.function
def step():
    with tf.GradientTape(persistent=True) as tape:
        loss = tf.reduce_sum(tf.pow(var, 2))
    grad = tape.gradient(loss, var)
    second_grads = []

    def cond(i, acc):
        return i < 2

    def body(i, acc):
        s = tf.constant(1.0)
        elemwise = tf.multiply(grad, s)
        g2 = tf.gradients(elemwise, var)[0]
        second_grads.append(g2)
        return i + 1, acc + elemwise

    tf.while_loop(cond, body, [0, tf.zeros(2)])
    return second_grads


RESULT = gradient_status(step())
