# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27455 (corrected: the Keras ReLU layer, the reporter's case 2)
import tensorflow as tf

z = tf.keras.Input(())
h = tf.keras.layers.ReLU()(z)
m = tf.keras.Model(z, h)


@tf.function
def f(x):
    with tf.GradientTape() as t:
        t.watch(x)
        z = m(x**2)
    return t.gradient(z, x)


RESULT = gradient_status([f(tf.constant([10.0]))])
