# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG002@22
# source: https://github.com/tensorflow/tensorflow/issues/50111
# "ValueError: No gradients provided for any variable: ['Variable:0']": a custom GradientTape loop whose
# prediction is turned into a NumPy array when it is handed to the loss function; the tape loses the variable.
import numpy as np
import tensorflow as tf

rng = np.random.RandomState(0)
x = tf.constant(rng.rand(32, 5).astype("float32"))
y = tf.constant(rng.rand(32, 1).astype("float32"))
w = tf.Variable(tf.random.normal((5, 1), seed=1))


def loss_fn(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred))


grads = None
with tf.GradientTape() as tape:
    pred = tf.matmul(x, w)
    loss = loss_fn(y, pred.numpy())
grads = tape.gradient(loss, [w])
RESULT = gradient_status(grads)
