# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Input saliency / physics-informed style: tape.watch on a plain tensor before differentiating w.r.t. it.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
points = tf.random.uniform((10, 2))

with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        inner.watch(points)
        u = net(points)
    du = inner.gradient(u, points)
    residual = tf.reduce_mean(tf.square(du[:, 0] + du[:, 1] - 1.0)) + tf.reduce_mean(tf.square(u))
grads = outer.gradient(residual, net.trainable_variables)
RESULT = {"du": gradient_status([du]), "params": gradient_status(grads)}
