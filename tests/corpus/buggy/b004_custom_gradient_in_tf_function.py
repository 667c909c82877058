# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG004@15
# Same missing `variables` inside a @tf.function train step: tracing raises the TypeError.
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((4, 2)))
opt = tf.keras.optimizers.SGD(0.1)


@tf.custom_gradient
def noisy_matmul(x):
    y = tf.matmul(x, w)

    def grad(dy):  # BUG
        return tf.matmul(dy, w, transpose_b=True) + tf.random.normal(tf.shape(x), stddev=0.01)

    return y, grad


@tf.function
def train_step(x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(noisy_matmul(x)))
    grads = tape.gradient(loss, [w])
    opt.apply_gradients(zip(grads, [w]))
    return grads


RESULT = gradient_status(train_step(tf.random.normal((3, 4))))
