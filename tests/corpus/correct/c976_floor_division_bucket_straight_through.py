# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: realistic program, 2026-12-07 session 4 (b008_floor_division_bucket_loss, fixed with a straight-through estimator)
import numpy as np
import tensorflow as tf
import keras

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
x = np.random.rand(8, 3).astype("float32")
y = np.random.randint(0, 4, size=(8, 1)).astype("float32")
with tf.GradientTape() as tape:
    scaled = model(x) * 10.0
    bucket = scaled + tf.stop_gradient(scaled // 2.5 - scaled)
    half = tf.shape(bucket)[0] // 2
    loss = tf.reduce_mean(tf.square(bucket[:half] - y[:half])) + tf.reduce_mean(tf.square(bucket[half:] - y[half:]))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
