# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/43845
# corrected: a float variable.
import tensorflow as tf

x = tf.Variable(5.0)
opt = tf.keras.optimizers.SGD(learning_rate=0.1)
with tf.GradientTape() as tape:
    cost = x * x - 6 * x + 9
grads = tape.gradient(cost, [x])
RESULT = gradient_status(grads)
