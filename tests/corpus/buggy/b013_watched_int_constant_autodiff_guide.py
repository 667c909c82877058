# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG013@6
# source: https://www.tensorflow.org/guide/autodiff (Cases where gradient returns None: took gradients through an integer)
import tensorflow as tf

x = tf.constant(10)
with tf.GradientTape() as g:
    g.watch(x)
    y = x * x
RESULT = gradient_status([g.gradient(y, x)])
