# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://insights.willogy.io/tensorflow-part-3-automatic-differentiation/ (corrected, as the post goes on
# to do: a persistent tape)
import tensorflow as tf

tensor_x = tf.Variable(2.0)

with tf.GradientTape(persistent=True) as tape:
    tensor_y1 = tensor_x**2
    tensor_y2 = tensor_x**3

tensor_dy1_dx = tape.gradient(tensor_y1, tensor_x)
tensor_dy2_dx = tape.gradient(tensor_y2, tensor_x)
del tape
RESULT = gradient_status([tensor_dy1_dx, tensor_dy2_dx])
