# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Python `if`/`while` on eager tensors inside a GradientTape: eager code just takes a branch.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
x = tf.random.normal((8, 4))
y = tf.random.normal((8, 1))

with tf.GradientTape() as tape:
    pred = model(x)
    err = pred - y
    if tf.reduce_max(tf.abs(err)) > 1.0:
        loss = tf.reduce_mean(tf.abs(err))
    else:
        loss = tf.reduce_mean(tf.square(err))
    scale = tf.constant(1.0)
    while scale * loss > 10.0:
        scale = scale / 2.0
    loss = loss * scale if loss > 0 else loss
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
