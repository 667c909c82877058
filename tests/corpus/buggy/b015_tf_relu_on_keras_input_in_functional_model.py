# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@8
# source: https://github.com/tensorflow/tensorflow/issues/27455
# tf.nn.relu applied to a keras.Input while a functional model is built, the model differentiated in a tf.function.
import tensorflow as tf

z = tf.keras.Input(())
h = tf.nn.relu(z)
m = tf.keras.Model(z, h)


@tf.function
def f(x):
    with tf.GradientTape() as t:
        t.watch(x)
        z = m(x**2)
    return t.gradient(z, x)


print(f(tf.constant([10.0])))
