# gradls-fixture: tf-verdict=nan-gradient
# gradls-expect: TFG040@16
# source: https://github.com/tensorflow/tensorflow/issues/4914
# "Keeping gradient of sqrt(x) stable for x = 0": the minimised function contains tf.sqrt(c * x) terms where `x` is a
# variable and the constant `c` is sometimes zero. For the zero coefficient the derivative is
# c * 0.5 / sqrt(c * x) = 0 * inf = NaN, and an optimizer step writes it into x. The TF 1 session is written with a
# tape and one SGD step.
import numpy as np
import tensorflow as tf

x = tf.Variable(np.array([2.0, 3.0, 5.0], dtype=np.float32))
c = tf.constant([1.0, 0.0, 4.0])
opt = tf.keras.optimizers.SGD(0.1)

with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.sqrt(c * x))
grads = tape.gradient(loss, [x])
RESULT = gradient_status(grads)
opt.apply_gradients(zip(grads, [x]))
