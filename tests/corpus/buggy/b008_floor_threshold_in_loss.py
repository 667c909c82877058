# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@16
# source: https://github.com/tensorflow/tensorflow/issues/8625
# y_pred = tf.floor(y_prob) as a threshold inside the loss: floor has no gradient.
import tensorflow as tf

tf.random.set_seed(0)
W = tf.Variable(tf.random.normal((4, 1)))
b = tf.Variable(tf.zeros((1,)))
x = tf.random.normal((16, 4))
y_true = tf.cast(tf.random.uniform((16, 1)) > 0.5, tf.float32)
optimizer = tf.keras.optimizers.SGD(0.005)
with tf.GradientTape() as tape:
    y_prob = tf.sigmoid(tf.matmul(x, W) + b)
    # Set a thresholds value
    y_pred = tf.floor(y_prob)
    # Loss Operation
    loss_op = tf.reduce_mean(tf.abs(y_true - y_pred))
grads = tape.gradient(loss_op, [W, b])
RESULT = gradient_status(grads)
optimizer.apply_gradients(zip(grads, [W, b]))
