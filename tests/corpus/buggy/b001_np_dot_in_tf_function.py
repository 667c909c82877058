# gradls-fixture: tf-verdict=raises:NotImplementedError
# gradls-expect: TFG001@16
# np.dot inside a @tf.function training step: tracing raises "Cannot convert a symbolic tf.Tensor".
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((3, 1)))
b = tf.Variable(0.0)
opt = tf.keras.optimizers.SGD(0.1)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = np.dot(x, w) + b  # BUG
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, [w, b])
    opt.apply_gradients(zip(grads, [w, b]))
    return grads


RESULT = gradient_status(train_step(tf.random.normal((4, 3)), tf.random.normal((4, 1))))
