# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG017@12
# source: https://taourl.com/read-2033525.html ("why the output of the tape.gradient is None (Tensorflow)",
# the first cause the answer gives: the variable was made with trainable=False)
import tensorflow as tf

x = tf.Variable(3.0, trainable=False)

with tf.GradientTape() as tape:
    y = x**2

dy_dx = tape.gradient(y, x)
print(dy_dx)
RESULT = gradient_status([dy_dx])
