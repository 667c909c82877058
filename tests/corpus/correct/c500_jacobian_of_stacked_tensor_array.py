# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/60048 (corrected: the stacked array, inside the block)
import tensorflow as tf
from tensorflow import keras

net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)])
points = tf.Variable(tf.random.stateless_normal((5, 3), seed=(1, 2)))

with tf.GradientTape(persistent=True) as tape:
    rows = tf.TensorArray(tf.float32, size=5)
    for i in range(5):
        out = net(points[i : i + 1])
        rows = rows.write(i, tf.reduce_sum(out))
    stacked = rows.stack()
jac = tape.jacobian(stacked, points)
RESULT = gradient_status([jac])
