# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/47785 (corrected)
# The maintainer's advice: a persistent tape for batch_jacobian with parallel_iterations.
import tensorflow as tf

x = tf.random.normal((4, 3))
with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = tf.sin(x) * 2.0
jac = tape.batch_jacobian(y, x, parallel_iterations=2)
RESULT = gradient_status([tf.reduce_sum(jac)])
