# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG036@19
# source: https://github.com/tensorflow/tensorflow/issues/51375
# Code migrated from TF 1.13 collects the variables to train with tf.compat.v1.trainable_variables(). Under TF 2
# eager execution the graph collection is empty (the reporter: "[]" where TF 1.13 listed the variable), so the
# loop differentiates with respect to nothing and the optimizer gets no gradients at all.
import numpy as np
import tensorflow as tf

initial = tf.random.normal(shape=[2, 5], mean=0, stddev=0.05, dtype=tf.dtypes.float64)
initial = tf.Variable(initial, name="eeeeeee", trainable=True)

x = tf.constant(np.random.rand(8, 2))
y = tf.constant(np.random.rand(8, 5))
optimizer = tf.keras.optimizers.SGD(0.1)
for step in range(3):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.matmul(x, initial) - y))
    var_list = tf.compat.v1.trainable_variables()
    grads = tape.gradient(loss, var_list)
    optimizer.apply_gradients(zip(grads, var_list))
RESULT = gradient_status(grads)
