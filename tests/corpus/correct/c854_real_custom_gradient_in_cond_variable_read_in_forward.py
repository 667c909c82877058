# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/50170 (near-miss: w's value read in the forward pass,
# grad_fn closes over that tensor)
import tensorflow as tf

w = tf.Variable(2.0, trainable=False)


@tf.function
def test(x):
    @tf.custom_gradient
    def multiply_by_w(x):
        w_value = tf.identity(w)
        y = w_value * x

        def grad_fn(grad_y):
            return grad_y * w_value

        return (y, grad_fn)

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cond(tf.constant(True), lambda: multiply_by_w(x), lambda: x)

    return tape.gradient(y, x)


g = test(tf.constant(5.0))
assert float(g) == 2.0
print("ok", g)
RESULT = gradient_status([g])
