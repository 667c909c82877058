# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG008@12
# source: realistic program, 2026-12-07 session 4 (bucketing the prediction with Python's // in the loss)
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
x = np.random.rand(8, 3).astype("float32")
y = np.random.randint(0, 4, size=(8, 1)).astype("float32")
with tf.GradientTape() as tape:
    bucket = (model(x) * 10.0) // 2.5
    loss = tf.reduce_mean(tf.square(bucket - y))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
