# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG010@16
# gradient() then jacobian() on the same non-persistent tape inside @tf.function: raises while tracing.
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((3, 2)))


@tf.function
def diagnostics(x):
    with tf.GradientTape() as tape:
        y = tf.tanh(tf.matmul(x, w))
        loss = tf.reduce_sum(y)
    grad = tape.gradient(loss, w)
    jac = tape.jacobian(y, w)  # BUG
    return grad, jac


grad, jac = diagnostics(tf.random.normal((2, 3)))
RESULT = gradient_status([grad, jac])
