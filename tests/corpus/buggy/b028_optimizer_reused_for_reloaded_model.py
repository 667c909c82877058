# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG028@24
# source: modelled on "fine-tune a reloaded .keras model: Unknown variable ... optimizer can only be called for the
# variables it was originally built with" reports; lead's realistic programs, session 7.
# The optimizer that trained `m` is reused for the model loaded from disk, whose variables are new objects.
import os
import tempfile
import tensorflow as tf
from tensorflow import keras

m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
path = os.path.join(tempfile.mkdtemp(), "m.keras")
m.save(path)
opt = keras.optimizers.Adam(1e-3)
x = tf.random.normal((16, 4))
y = tf.random.normal((16, 1))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean((m(x) - y) ** 2)
opt.apply_gradients(zip(tape.gradient(loss, m.trainable_variables), m.trainable_variables))
restored = keras.models.load_model(path, compile=False)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean((restored(x) - y) ** 2)
grads = tape.gradient(loss, restored.trainable_variables)
opt.apply_gradients(zip(grads, restored.trainable_variables))
RESULT = gradient_status(grads)
