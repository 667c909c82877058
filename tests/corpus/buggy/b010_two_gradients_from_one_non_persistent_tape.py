# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG010@15
# source: https://insights.willogy.io/tensorflow-part-3-automatic-differentiation/
# Two targets recorded on one tape; the second tape.gradient call on the non-persistent tape.
import tensorflow as tf

tensor_x = tf.Variable(2.0)

with tf.GradientTape() as tape:
    tensor_y1 = tensor_x**2
    tensor_y2 = tensor_x**3

tensor_dy1_dx = tape.gradient(tensor_y1, tensor_x)
print(tensor_dy1_dx)
tensor_dy2_dx = tape.gradient(tensor_y2, tensor_x)
print(tensor_dy2_dx)
RESULT = gradient_status([tensor_dy1_dx, tensor_dy2_dx])
