# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/13203 (corrected: the layer before the square root is softplus,
# strictly positive, so sqrt is never taken at exactly 0)
import keras
import numpy as np
import tensorflow as tf
from keras import layers

inputs = keras.Input(shape=(10, 10), name="raw_image_left")
test = layers.Dense(units=64, activation="softplus", name="middle")(inputs)
test = layers.Flatten()(test)
test = layers.Lambda(lambda x: keras.ops.sqrt(x), name="error_point")(test)
output = layers.Dense(1)(test)
model = keras.Model(inputs, output)

x = np.random.randn(8, 10, 10).astype("float32")
y = np.random.rand(8, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(keras.losses.mean_squared_error(y, model(x)))
RESULT = gradient_status(tape.gradient(loss, model.get_layer("middle").trainable_variables))
