# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/50278 (corrected: the first gradient is taken inside the
# loop body too, so tf.gradients in the body can follow it back to the variable)
import tensorflow as tf

var = tf.Variable([1.0, 2.0])


@tf.function
def step():
    def cond(i, acc):
        return i < 2

    def body(i, acc):
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.pow(var, 2))
        grad = tape.gradient(loss, var)
        s = tf.constant(1.0)
        elemwise = tf.multiply(grad, s)
        g2 = tf.gradients(elemwise, var)[0]
        return i + 1, acc + g2

    return tf.while_loop(cond, body, [0, tf.zeros(2)])


_, second = step()
RESULT = gradient_status([second])
