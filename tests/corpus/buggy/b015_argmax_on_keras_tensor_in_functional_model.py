# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@11
# source: https://codemia.io/knowledge-hub/path/intermediate_layer_makes_tensorflow_optimizer_to_stop_working_1
# "Intermediate layer makes tensorflow optimizer to stop working": an argmax and a cast are put between a Dense
# layer and the model's output while the functional model is built.
import numpy as np
import tensorflow as tf

inputs = tf.keras.Input(shape=(4,))
x = tf.keras.layers.Dense(8, activation="relu")(inputs)
x = tf.argmax(x, axis=1)
outputs = tf.cast(x, tf.float32)
model = tf.keras.Model(inputs, outputs)

xs = tf.random.normal((16, 4))
ys = tf.random.normal((16,))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(ys - model(xs)))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
