# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG009@13
# du/dx of a network at collocation points held in a tf.constant, without tape.watch: None.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
net = keras.Sequential([keras.Input((1,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
xs = tf.constant([[0.0], [0.5], [1.0]])

with tf.GradientTape() as tape:
    u = net(xs)
du_dx = tape.gradient(u, xs)  # BUG
RESULT = gradient_status([du_dx])
