"""Three variables whose gradient is None, each cut by a different op, and one the static analysis
cannot follow (cut inside a helper the engine does not see into)."""

import tensorflow as tf

x = tf.random.stateless_normal([4, 3], seed=(1, 2))
w_argmax = tf.Variable(tf.ones([3, 3]), name="w_argmax")  # CASE: w_argmax
w_numpy = tf.Variable(2.0, name="w_numpy")  # CASE: w_numpy
w_stop = tf.Variable(3.0, name="w_stop")  # CASE: w_stop
w_ok = tf.Variable(tf.ones([3]), name="w_ok")
w_helper = tf.Variable(1.5, name="w_helper")  # CASE: w_helper


def rounded(v):
    return getattr(tf, "round")(v)  # CASE: helper cut


for step in range(5):
    with tf.GradientTape() as tape:
        picked = tf.cast(tf.argmax(x @ w_argmax, axis=1), tf.float32)  # CASE: argmax
        scale = tf.constant(w_numpy.numpy())  # CASE: numpy
        frozen = tf.stop_gradient(w_stop)  # CASE: stop
        loss = tf.reduce_sum(x * w_ok) * scale * frozen + tf.reduce_sum(picked) + rounded(w_helper)
    grads = tape.gradient(loss, [w_argmax, w_numpy, w_stop, w_ok, w_helper])  # CASE: gradient
