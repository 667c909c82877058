# gradls-fixture: tf-verdict=ok
# gradls-expect:
# An LSTM sequence classifier with an Embedding, trained in a custom loop.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([
    keras.Input((6,), dtype="int32"),
    keras.layers.Embedding(20, 4),
    keras.layers.LSTM(5),
    keras.layers.Dense(2),
])
optimizer = keras.optimizers.RMSprop(1e-3)
tokens = tf.random.uniform((8, 6), maxval=20, dtype=tf.int32)
labels = tf.random.uniform((8,), maxval=2, dtype=tf.int32)

with tf.GradientTape() as tape:
    logits = model(tokens, training=True)
    loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True))
grads = tape.gradient(loss, model.trainable_variables)
optimizer.apply_gradients(zip(grads, model.trainable_variables))
RESULT = gradient_status(grads)
