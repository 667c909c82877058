# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG002@12
# .numpy() on the prediction inside the tape, then back to a tensor: the tape loses the path.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))

with tf.GradientTape() as tape:
    pred = model(x, training=True).numpy()  # BUG
    loss = tf.reduce_mean(tf.square(tf.convert_to_tensor(pred) - y))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
