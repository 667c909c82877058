# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG013@7
# source: https://github.com/tensorflow/tensorflow/issues/43845
# "No gradients provided" when the variable is not a float: tf.Variable(5) is int32.
import tensorflow as tf

x = tf.Variable(5)
opt = tf.keras.optimizers.SGD(learning_rate=0.1)
with tf.GradientTape() as tape:
    cost = x * x - 6 * x + 9
grads = tape.gradient(cost, [x])
RESULT = gradient_status(grads)
