# gradls-fixture: tf-verdict=raises:OperatorNotAllowedInGraphError
# gradls-expect: TFG003@14
# A @tf.custom_gradient with a Python `if` in its grad_fn, run inside @tf.function: it is not AutoGraph'd.
import tensorflow as tf

tf.random.set_seed(0)


@tf.custom_gradient
def safe_norm(x):
    y = tf.norm(x)

    def grad(dy):
        if y > 0:  # BUG
            return dy * x / y
        return tf.zeros_like(x)

    return y, grad


w = tf.Variable(tf.random.normal((3,)))


@tf.function
def step():
    with tf.GradientTape() as tape:
        loss = safe_norm(w * 2.0)
    return tape.gradient(loss, [w])


RESULT = gradient_status(step())
