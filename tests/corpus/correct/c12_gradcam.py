# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Grad-CAM: gradient of a class score with respect to the last conv feature maps (no watch needed).
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

inputs = keras.Input((12, 12, 3))
x = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inputs)
x = keras.layers.Conv2D(6, 3, activation="relu", name="last_conv")(x)
x = keras.layers.GlobalAveragePooling2D()(x)
outputs = keras.layers.Dense(5)(x)
model = keras.Model(inputs, outputs)

grad_model = keras.Model(model.inputs, [model.get_layer("last_conv").output, model.output])
img = np.random.rand(1, 12, 12, 3).astype("float32")

with tf.GradientTape() as tape:
    last_conv_output, preds = grad_model(img)
    pred_index = tf.argmax(preds[0])
    class_channel = preds[:, pred_index]

grads = tape.gradient(class_channel, last_conv_output)
pooled_grads = tf.reduce_mean(grads, axis=(0, 1, 2))
heatmap = tf.squeeze(last_conv_output[0] @ pooled_grads[..., tf.newaxis])
heatmap = tf.maximum(heatmap, 0) / (tf.math.reduce_max(heatmap) + 1e-8)
heatmap = heatmap.numpy()
RESULT = gradient_status([grads])
