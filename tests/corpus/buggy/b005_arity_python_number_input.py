# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG005@15
# soft_clip(x, 3.0) has two inputs (the Python number counts), but grad_fn returns one gradient.
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((4,)))


@tf.custom_gradient
def soft_clip(x, limit):
    y = limit * tf.tanh(x / limit)

    def grad_fn(dy):
        return dy * (1.0 - tf.square(tf.tanh(x / limit)))  # BUG

    return y, grad_fn


with tf.GradientTape() as tape:
    loss = tf.reduce_sum(soft_clip(w * 3.0, 3.0))
RESULT = gradient_status(tape.gradient(loss, [w]))
