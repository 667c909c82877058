# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/51375 (near-miss: the migrated loop keeps its own list
# of the variables it trains instead of the TF 1 graph collection)
import numpy as np
import tensorflow as tf

initial = tf.random.normal(shape=[2, 5], mean=0, stddev=0.05, dtype=tf.dtypes.float64)
initial = tf.Variable(initial, name="eeeeeee", trainable=True)

x = tf.constant(np.random.rand(8, 2))
y = tf.constant(np.random.rand(8, 5))
optimizer = tf.keras.optimizers.SGD(0.1)
var_list = [initial]
for step in range(3):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, initial) - y))
    grads = tape.gradient(loss, var_list)
    optimizer.apply_gradients(zip(grads, var_list))
RESULT = gradient_status(grads)
