# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://taourl.com/read-2033525.html (corrected: the variable is trainable, the default)
import tensorflow as tf

x = tf.Variable(3.0)

with tf.GradientTape() as tape:
    y = x**2

dy_dx = tape.gradient(y, x)
print(dy_dx)
RESULT = gradient_status([dy_dx])
