# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Functional API with two inputs and two outputs, weighted losses, custom training step.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

title = keras.Input((5,), name="title")
body = keras.Input((7,), name="body")
h = keras.layers.concatenate([keras.layers.Dense(4, activation="relu")(title), keras.layers.Dense(4, activation="relu")(body)])
priority = keras.layers.Dense(1, name="priority")(h)
department = keras.layers.Dense(3, name="department")(h)
model = keras.Model([title, body], [priority, department])
optimizer = keras.optimizers.Adam(1e-3)

xt, xb = tf.random.normal((8, 5)), tf.random.normal((8, 7))
y_priority = tf.random.uniform((8, 1))
y_department = tf.random.uniform((8,), maxval=3, dtype=tf.int32)

with tf.GradientTape() as tape:
    p, d = model([xt, xb], training=True)
    loss = 1.0 * tf.reduce_mean(keras.losses.binary_crossentropy(y_priority, p, from_logits=True))
    loss += 0.2 * tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y_department, d, from_logits=True))
grads = tape.gradient(loss, model.trainable_variables)
optimizer.apply_gradients(zip(grads, model.trainable_variables))
RESULT = gradient_status(grads)
