# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG004@14
# grad_fn(dy, variable=None): the keyword must be `variables` (plural), so the TypeError still fires.
import tensorflow as tf

tf.random.set_seed(0)
alpha = tf.Variable(0.25, name="alpha")


@tf.custom_gradient
def prelu(x):
    y = tf.where(x > 0, x, alpha * x)

    def grad_fn(dy, variable=None):  # BUG
        dx = dy * tf.where(x > 0, 1.0, alpha)
        dalpha = tf.reduce_sum(dy * tf.where(x > 0, 0.0, x))
        return dx, [dalpha]

    return y, grad_fn


x = tf.random.normal((5,))
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(prelu(x) ** 2)
RESULT = gradient_status(tape.gradient(loss, [alpha]))
