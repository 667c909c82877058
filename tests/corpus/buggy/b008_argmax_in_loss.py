# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG008@14
# A "differentiable accuracy" loss built on argmax of the logits: argmax has no gradient (None).
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
x = tf.random.normal((8, 5))
labels = tf.random.uniform((8,), maxval=3, dtype=tf.int64)

with tf.GradientTape() as tape:
    logits = model(x, training=True)
    predicted = tf.argmax(logits, axis=1)  # BUG
    loss = 1.0 - tf.reduce_mean(tf.cast(tf.equal(predicted, labels), tf.float32))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
