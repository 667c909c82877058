# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Python `if`, `while` and a ternary on tensors inside @tf.function: AutoGraph converts them to tf.cond/while_loop.
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((3, 1)))
b = tf.Variable(0.1)
opt = tf.keras.optimizers.SGD(0.01)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = tf.matmul(x, w) + b
        err = pred - y
        if tf.reduce_mean(err) > 0:
            loss = tf.reduce_mean(tf.square(err))
        else:
            loss = tf.reduce_mean(tf.abs(err)) + tf.reduce_mean(tf.square(err))
        n = tf.constant(0)
        while n < 2:
            loss = loss * 1.0
            n += 1
        loss = loss * 2.0 if loss > 100.0 else loss
    grads = tape.gradient(loss, [w, b])
    opt.apply_gradients(zip(grads, [w, b]))
    return grads


RESULT = gradient_status(train_step(tf.random.normal((6, 3)), tf.random.normal((6, 1))))
