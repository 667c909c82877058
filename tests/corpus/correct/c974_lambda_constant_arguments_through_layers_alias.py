# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: realistic program, 2026-12-07 session 4 (b015_lambda_arguments_tower_through_keras_alias's near-miss: a constant in arguments=)
import numpy as np
import tensorflow as tf

tfkl = tf.keras.layers


def scale(x, s):
    return tf.multiply(x, s)


a = tfkl.Input(shape=(64,))
b = tfkl.Dense(5)(a)
d = tfkl.Lambda(scale, arguments={"s": tf.constant(2.0)})(b)
model = tf.keras.Model(a, d)
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(np.random.rand(8, 64).astype("float32"))))
RESULT = gradient_status(tape.gradient(loss, model.trainable_weights))
