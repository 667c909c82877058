# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG007@12
# A tf.Variable created in the body of a @tf.function step: fails on the first call.
import tensorflow as tf

tf.random.set_seed(0)
opt = tf.keras.optimizers.SGD(0.1)


@tf.function
def train_step(x, y):
    w = tf.Variable(tf.random.normal((3, 1)))  # BUG
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, w) - y))
    grads = tape.gradient(loss, [w])
    opt.apply_gradients(zip(grads, [w]))
    return grads


RESULT = gradient_status(train_step(tf.random.normal((4, 3)), tf.random.normal((4, 1))))
