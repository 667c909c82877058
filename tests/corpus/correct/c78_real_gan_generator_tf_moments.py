# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/31919 (moments written with TensorFlow ops)
# The same generator step with the moments computed by TensorFlow: every generator weight gets a gradient.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
G = keras.Sequential([keras.Input((1,)), keras.layers.Dense(5, activation="elu"), keras.layers.Dense(100)])
D = keras.Sequential([keras.Input((4,)), keras.layers.Dense(10, activation="elu"), keras.layers.Dense(1, activation="sigmoid")])
criterion = keras.losses.BinaryCrossentropy()
g_optimizer = keras.optimizers.SGD(1e-3)


def get_moments(d):
    mean = tf.reduce_mean(d)
    diffs = d - mean
    var = tf.reduce_mean(tf.pow(diffs, 2.0))
    std = tf.pow(var, 0.5)
    zscores = diffs / std
    skews = tf.reduce_mean(tf.pow(zscores, 3.0))
    kurtoses = tf.reduce_mean(tf.pow(zscores, 4.0)) - 3.0
    return tf.stack([mean, std, skews, kurtoses])


gen_input = tf.random.uniform((100, 1))
with tf.GradientTape() as tape:
    g_fake_data = G(gen_input)
    dg_fake_decision = D(tf.reshape(get_moments(tf.transpose(g_fake_data)), (1, 4)))
    g_error = criterion(tf.ones((1, 1)), dg_fake_decision)
grads = tape.gradient(g_error, G.trainable_variables)
g_optimizer.apply_gradients(zip(grads, G.trainable_variables))
RESULT = gradient_status(grads)
