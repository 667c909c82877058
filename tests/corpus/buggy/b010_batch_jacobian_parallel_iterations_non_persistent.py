# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG010@11
# source: https://github.com/tensorflow/tensorflow/issues/47785
# batch_jacobian(..., parallel_iterations=...) on a non-persistent tape.
import tensorflow as tf

x = tf.random.normal((4, 3))
with tf.GradientTape() as tape:
    tape.watch(x)
    y = tf.sin(x) * 2.0
jac = tape.batch_jacobian(y, x, parallel_iterations=2)
RESULT = gradient_status([tf.reduce_sum(jac)])
