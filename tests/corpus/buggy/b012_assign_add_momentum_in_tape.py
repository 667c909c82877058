# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG012@14
# A running feature mean updated with assign() inside the tape and then used in the loss: the encoder gets None.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
encoder = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])
center = tf.Variable(tf.zeros((3,)), trainable=False)
x = tf.random.normal((8, 4))

with tf.GradientTape() as tape:
    feats = encoder(x, training=True)
    center.assign(0.9 * center + 0.1 * tf.reduce_mean(feats, axis=0))  # BUG
    loss = tf.reduce_sum(tf.square(center))
RESULT = gradient_status(tape.gradient(loss, encoder.trainable_variables))
