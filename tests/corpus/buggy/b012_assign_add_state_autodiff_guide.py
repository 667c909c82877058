# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG012@10
# source: https://www.tensorflow.org/guide/autodiff (State stops gradients)
import tensorflow as tf

x0 = tf.Variable(3.0)
x1 = tf.Variable(0.0)
with tf.GradientTape() as tape:
    # Update x1 = x1 + x0.
    x1.assign_add(x0)
    # The tape starts recording from x1.
    y = x1**2  # y = (x1 + x0)**2
RESULT = gradient_status([tape.gradient(y, x0)])
