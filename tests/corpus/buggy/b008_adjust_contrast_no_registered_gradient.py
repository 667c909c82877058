# gradls-fixture: tf-verdict=raises:LookupError
# gradls-expect: TFG008@9
# source: https://www.tensorflow.org/guide/autodiff (No gradient registered: tf.image.adjust_contrast)
import tensorflow as tf

image = tf.Variable([[[0.5, 0.0, 0.0]]])
delta = tf.Variable(0.1)
with tf.GradientTape() as tape:
    new_image = tf.image.adjust_contrast(image, delta)
RESULT = gradient_status(tape.gradient(new_image, [image, delta]))
