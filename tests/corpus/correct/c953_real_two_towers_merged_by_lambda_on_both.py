# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/14359 (corrected: both towers are inputs of the Lambda)
import numpy as np
import tensorflow as tf

keras = tf.keras
keras.utils.set_random_seed(0)


def func(tensors):
    x, y = tensors
    return tf.add(x, y)


a = keras.layers.Input(shape=(64,))
b = keras.layers.Dense(5)(a)
c = keras.layers.Dense(5)(a)
d = keras.layers.Lambda(func)([b, c])
model = keras.models.Model(a, d)
x = np.random.rand(8, 64).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x)))
grads = tape.gradient(loss, model.trainable_weights)
RESULT = gradient_status(grads)
