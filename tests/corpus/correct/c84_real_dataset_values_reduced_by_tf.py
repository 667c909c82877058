# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/36306 (the reporter's working variant)
# The dataset's values are pulled out eagerly and the loss is computed by ordinary ops on the tape.
import tensorflow as tf

data = tf.range(10, dtype=tf.float32)
ds = tf.data.Dataset.from_tensor_slices(data)
u = tf.Variable(1., dtype=tf.float32)
with tf.GradientTape() as g:
    loss2 = tf.reduce_sum([(y - u) ** 2 for y in ds.as_numpy_iterator()])
RESULT = gradient_status([g.gradient(loss2, u)])
