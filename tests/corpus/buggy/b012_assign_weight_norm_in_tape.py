# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG012@13
# Weight normalisation done with assign() inside the tape: the path from `g` and `v` to the loss is cut.
import tensorflow as tf

tf.random.set_seed(0)
v = tf.Variable(tf.random.normal((3, 2)), name="v")
g = tf.Variable(tf.ones((2,)), name="g")
w = tf.Variable(tf.zeros((3, 2)), name="w", trainable=False)
x = tf.random.normal((4, 3))

with tf.GradientTape() as tape:
    w.assign(g * v / tf.norm(v, axis=0))  # BUG
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
RESULT = gradient_status(tape.gradient(loss, [v, g]))
