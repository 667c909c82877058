# gradls-fixture: tf-verdict=ok
# gradls-expect:
# tf.custom_gradient that reads trainable variables, with a grad_fn taking `variables=`.
import tensorflow as tf

tf.random.set_seed(0)
w = tf.Variable(tf.random.normal((3, 2)), name="w")
b = tf.Variable(tf.zeros((2,)), name="b")


@tf.custom_gradient
def affine(x):
    y = tf.matmul(x, w) + b

    def grad_fn(dy, variables=None):
        dx = tf.matmul(dy, w, transpose_b=True)
        dw = tf.matmul(x, dy, transpose_a=True)
        db = tf.reduce_sum(dy, axis=0)
        return dx, [dw, db]

    return y, grad_fn


x = tf.random.normal((4, 3))
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.square(affine(x) - 1.0))
grads = tape.gradient(loss, [w, b])
RESULT = gradient_status(grads)
