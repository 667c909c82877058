# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG011@16
# Inside @tf.function the whole forward pass sits after the (empty) tape block: all gradients None.
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((3, 1)))
b = tf.Variable(0.0)


@tf.function
def step(x, y):
    with tf.GradientTape() as tape:
        tape.watch(w)
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    return tape.gradient(loss, [w, b])  # BUG


RESULT = gradient_status(step(tf.random.normal((4, 3)), tf.random.normal((4, 1))))
