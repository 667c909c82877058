# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG042@23
# source: https://github.com/tensorflow/tensorflow/issues/50170
# A tf.Variable read inside a custom_gradient's grad_fn, the function called in a tf.cond branch in a tf.function.
import tensorflow as tf

w = tf.Variable(2.0, trainable=False)


@tf.function
def test(x):
    @tf.custom_gradient
    def multiply_by_w(x):
        y = w * x

        def grad_fn(grad_y):
            return grad_y * w

        return (y, grad_fn)

    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.cond(tf.constant(True), lambda: multiply_by_w(x), lambda: x)

    return tape.gradient(y, x)


print(test(tf.constant(5.0)))
