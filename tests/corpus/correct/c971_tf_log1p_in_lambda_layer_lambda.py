# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: realistic program, 2026-12-07 session 4 (b001_numpy_log1p_in_lambda_layer_lambda, fixed; NumPy on constants)
import numpy as np
import tensorflow as tf
import keras

inputs = keras.Input(shape=(4,))
h = keras.layers.Dense(4, activation="softplus")(inputs)
logh = keras.layers.Lambda(lambda t: tf.math.log1p(t) * np.float32(np.sqrt(2.0)))(h)
out = keras.layers.Dense(1)(logh)
model = keras.Model(inputs, out)
x = np.random.rand(8, 4).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(x)))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
