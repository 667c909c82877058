# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@11
# source: https://github.com/fchollet/deep-learning-with-python-notebooks/pull/284
# "Fix TensorFlow GradientTape example returning None due to tensor not watched": the chapter-2 example
# makes x with tf.zeros(), a constant tensor the tape does not watch, so the gradient of y is None.
import tensorflow as tf

x = tf.zeros(shape=(2, 2))
with tf.GradientTape() as tape:
    y = 2 * x + 3
grad_of_y_wrt_x = tape.gradient(y, x)
RESULT = gradient_status([grad_of_y_wrt_x])
