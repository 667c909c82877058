# gradls-fixture: tf-verdict=raises:OperatorNotAllowedInGraphError
# gradls-expect: TFG003@14
# @tf.function(autograph=False) turns off the conversion: a Python ternary on a tensor raises.
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((3, 1)))


@tf.function(autograph=False)
def compute_loss(x, y):
    err = tf.matmul(x, w) - y
    mse = tf.reduce_mean(tf.square(err))
    return mse if mse < 10.0 else tf.sqrt(mse)  # BUG


with tf.GradientTape() as tape:
    loss = compute_loss(tf.random.normal((4, 3)), tf.random.normal((4, 1)))
RESULT = gradient_status(tape.gradient(loss, [w]))
