# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/50111 (corrected)
# The prediction stays a tensor on its way to the loss function: the variable gets a gradient.
import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)
x = tf.constant(rng.rand(32, 5).astype("float32"))
y = tf.constant(rng.rand(32, 1).astype("float32"))
w = tf.Variable(tf.random.normal((5, 1), seed=1))


def loss_fn(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred))


with tf.GradientTape() as tape:
    pred = tf.matmul(x, w)
    loss = loss_fn(y, pred)
grads = tape.gradient(loss, [w])
print("loss", loss.numpy())
RESULT = gradient_status(grads)
