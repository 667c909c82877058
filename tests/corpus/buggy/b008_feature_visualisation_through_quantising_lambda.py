# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@11
# source: modelled on feature-visualisation usage (gradient ascent on the input of a conv model)
# The model's first layer is a Lambda that quantises the input to uint8 and back: the gradient with respect to
# the optimised image is None and Adam raises `No gradients provided for any variable` (TF 2.21).
import numpy as np
import tensorflow as tf
from tensorflow import keras

inp = keras.Input((32, 32, 3))
x = keras.layers.Lambda(lambda t: tf.cast(tf.cast(t * 255.0, tf.uint8), tf.float32) / 255.0)(inp)
x = keras.layers.Conv2D(8, 3, activation="relu", name="conv")(x)
model = keras.Model(inp, x)

img = tf.Variable(np.random.rand(1, 32, 32, 3).astype("float32"))
opt = keras.optimizers.Adam(0.05)
for i in range(3):
    with tf.GradientTape() as tape:
        activation = tf.reduce_mean(model(img)[..., 3])
        loss = -activation
    grad = tape.gradient(loss, img)
    opt.apply_gradients([(grad, img)])
