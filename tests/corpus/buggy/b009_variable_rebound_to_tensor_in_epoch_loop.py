# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@12
# source: https://www.tensorflow.org/guide/autodiff (Cases where gradient returns None: replaced a variable with a tensor)
# x = x + 1 rebinds x to a Tensor: from the second epoch on the tape does not watch it.
import tensorflow as tf

x = tf.Variable(2.0)
grads = []
for epoch in range(2):
    with tf.GradientTape() as tape:
        y = x + 1
    grads.append(tape.gradient(y, x))
    x = x + 1
RESULT = gradient_status(grads)
