# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG002@31
# source: https://github.com/tensorflow/tensorflow/issues/31919
# "tf.GradientTape() is returning None on the generator loss": the "GANs in 50 lines" port feeds the
# discriminator with moments computed in NumPy from g_fake_data.numpy(); the tape loses the generator there.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
G = keras.Sequential([keras.Input((1,)), keras.layers.Dense(5, activation="elu"), keras.layers.Dense(100)])
D = keras.Sequential([keras.Input((4,)), keras.layers.Dense(10, activation="elu"), keras.layers.Dense(1, activation="sigmoid")])
criterion = keras.losses.BinaryCrossentropy()
g_optimizer = keras.optimizers.SGD(1e-3)


def get_moments(d):
    mean = np.mean(d)
    diffs = d - mean
    var = np.mean(np.power(diffs, 2.0))
    std = np.power(var, 0.5)
    zscores = diffs / std
    skews = np.mean(np.power(zscores, 3.0))
    kurtoses = np.mean(np.power(zscores, 4.0)) - 3.0
    return np.array([mean, std, skews, kurtoses], dtype=np.float32)


gen_input = tf.random.uniform((100, 1))
with tf.GradientTape() as tape:
    g_fake_data = G(gen_input)
    dg_fake_decision = D(get_moments(g_fake_data.numpy().T).reshape((1, 4)))
    g_error = criterion(tf.ones((1, 1)), dg_fake_decision)
grads = tape.gradient(g_error, G.trainable_variables)
g_optimizer.apply_gradients(zip(grads, G.trainable_variables))
RESULT = gradient_status(grads)
