# gradls-fixture: tf-verdict=raises:InternalError
# gradls-expect: TFG005@16
# grad_fn returns three gradients for a two-input custom_gradient, inside @tf.function.
import tensorflow as tf

tf.random.set_seed(0)
a = tf.Variable(tf.random.normal((3,)))
b = tf.Variable(tf.random.normal((3,)))


@tf.custom_gradient
def weighted_product(x, y):
    out = x * y

    def grad_fn(dout):
        return dout * y, dout * x, tf.zeros_like(x)  # BUG

    return out, grad_fn


@tf.function
def step():
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(weighted_product(a, b))
    return tape.gradient(loss, [a, b])


RESULT = gradient_status(step())
