# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@13
# source: https://worldofsoftware.org/debugging-disconnected-gradients-in-tensorflow-step-by-step-hackernoon/
# "Replaced a variable with a tensor": x = x + 1 rebinds the variable's name to a plain tensor, which the next
# epoch's tape does not watch: the second gradient is None.
import tensorflow as tf

x = tf.Variable(2.0)
grads = []
for epoch in range(2):
    with tf.GradientTape() as tape:
        y = x + 1
    grads.append(tape.gradient(y, x))
    x = x + 1
RESULT = gradient_status(grads)
