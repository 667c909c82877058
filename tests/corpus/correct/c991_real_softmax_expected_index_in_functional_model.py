# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://codemia.io/knowledge-hub/path/intermediate_layer_makes_tensorflow_optimizer_to_stop_working_1
# (corrected: the discrete argmax becomes the softmax-weighted index, computed by Keras layers)
import numpy as np
import tensorflow as tf

inputs = tf.keras.Input(shape=(4,))
x = tf.keras.layers.Dense(8, activation="relu")(inputs)
probs = tf.keras.layers.Softmax()(x)
outputs = tf.keras.layers.Dense(1, use_bias=False)(probs)
model = tf.keras.Model(inputs, outputs)

xs = tf.random.normal((16, 4))
ys = tf.random.normal((16, 1))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(ys - model(xs)))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
