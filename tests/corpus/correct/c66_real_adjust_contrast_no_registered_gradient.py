# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://www.tensorflow.org/guide/autodiff (No gradient registered: tf.image.adjust_contrast)
# corrected: contrast written out with differentiable ops (mean over the spatial axes).
import tensorflow as tf

image = tf.Variable([[[0.5, 0.0, 0.0]], [[0.1, 0.3, 0.2]]])
delta = tf.Variable(0.1)
with tf.GradientTape() as tape:
    mean = tf.reduce_mean(image, axis=[0, 1], keepdims=True)
    new_image = (image - mean) * delta + mean
    energy = tf.reduce_sum(new_image * new_image)
RESULT = gradient_status(tape.gradient(energy, [image, delta]))
