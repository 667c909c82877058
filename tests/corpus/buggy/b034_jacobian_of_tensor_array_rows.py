# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG034@18
# source: https://github.com/tensorflow/tensorflow/issues/60048
# The rows of a network's output are collected in a tf.TensorArray under a persistent tape and the array itself is
# given to tape.jacobian: TensorFlow raises AttributeError: 'TensorArray' object has no attribute 'shape'.
import tensorflow as tf
from tensorflow import keras

net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)])
points = tf.Variable(tf.random.stateless_normal((5, 3), seed=(1, 2)))

with tf.GradientTape(persistent=True) as tape:
    rows = tf.TensorArray(tf.float32, size=5)
    for i in range(5):
        out = net(points[i : i + 1])
        rows = rows.write(i, tf.reduce_sum(out))
    # the Jacobian of every row's output with respect to the input points
    jac = tape.jacobian(rows, points)
print(jac.shape)
