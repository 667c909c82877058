# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://www.tensorflow.org/guide/autodiff (Cases where gradient returns None: replaced a variable with a tensor)
# corrected: x.assign_add(1) keeps x a variable.
import tensorflow as tf

x = tf.Variable(2.0)
grads = []
for epoch in range(2):
    with tf.GradientTape() as tape:
        y = x + 1
    grads.append(tape.gradient(y, x))
    x.assign_add(1)
RESULT = gradient_status(grads)
