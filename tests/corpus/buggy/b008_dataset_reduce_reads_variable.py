# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG008@12
# source: https://github.com/tensorflow/tensorflow/issues/36306
# "Gradients do not propagate when iterating over dataset in graph mode": Dataset.reduce runs its reducer
# inside the dataset's own function graph, which the tape does not see through: the gradient for u is None.
import tensorflow as tf

data = tf.range(10, dtype=tf.float32)
ds = tf.data.Dataset.from_tensor_slices(data)
u = tf.Variable(1., dtype=tf.float32)
with tf.GradientTape() as g:
    loss1 = ds.reduce(tf.constant(0.), lambda x, y: x + (y - u) ** 2)
RESULT = gradient_status([g.gradient(loss1, u)])
