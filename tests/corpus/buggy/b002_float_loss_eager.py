# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG002@12
# float(loss) inside the tape: the loss handed to tape.gradient is a Python float and gradient() raises.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))

with tf.GradientTape() as tape:
    loss = float(tf.reduce_mean(tf.square(model(x) - y)))  # BUG
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
