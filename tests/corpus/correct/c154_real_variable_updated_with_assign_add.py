# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://worldofsoftware.org/debugging-disconnected-gradients-in-tensorflow-step-by-step-hackernoon/ (corrected)
# The variable is updated in place with assign_add, so every epoch's tape watches it.
import tensorflow as tf

x = tf.Variable(2.0)
grads = []
for epoch in range(2):
    with tf.GradientTape() as tape:
        y = x + 1
    grads.append(tape.gradient(y, x))
    x.assign_add(1)
RESULT = gradient_status(grads)
