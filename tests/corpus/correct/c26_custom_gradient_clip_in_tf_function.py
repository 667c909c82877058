# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A variable-free tf.custom_gradient (gradient clipping op) used inside a @tf.function step.
import tensorflow as tf

tf.random.set_seed(0)


@tf.custom_gradient
def clip_gradient(x):
    def grad(dy):
        return tf.clip_by_norm(dy, 0.5)
    return tf.identity(x), grad


@tf.custom_gradient
def log1pexp(x):
    e = tf.exp(x)
    def grad(upstream):
        return upstream * (1 - 1 / (1 + e))
    return tf.math.log(1 + e), grad


w = tf.Variable(tf.random.normal((3, 2)))
opt = tf.keras.optimizers.SGD(0.1)


@tf.function
def step(x):
    with tf.GradientTape() as tape:
        h = clip_gradient(tf.matmul(x, w))
        loss = tf.reduce_sum(log1pexp(h))
    grads = tape.gradient(loss, [w])
    opt.apply_gradients(zip(grads, [w]))
    return grads


RESULT = gradient_status(step(tf.random.normal((4, 3))))
