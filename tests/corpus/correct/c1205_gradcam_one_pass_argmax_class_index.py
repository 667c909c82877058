# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on Grad-CAM usage (the keras.io Grad-CAM example)
# Feature map and predictions both come from one call of the two-output grad_model; tf.argmax only picks the
# class index, the score itself is a slice of the predictions: the gradient exists.
import numpy as np
import tensorflow as tf
from tensorflow import keras

inputs = keras.Input((32, 32, 3))
x = keras.layers.Conv2D(8, 3, activation="relu", name="last_conv")(inputs)
x = keras.layers.GlobalAveragePooling2D()(x)
outputs = keras.layers.Dense(4)(x)
model = keras.Model(inputs, outputs)
grad_model = keras.Model(model.inputs, [model.get_layer("last_conv").output, model.output])

img = np.random.rand(1, 32, 32, 3).astype("float32")
with tf.GradientTape() as tape:
    conv_out, preds = grad_model(img)
    pred_index = tf.argmax(preds[0])
    class_channel = preds[:, pred_index]
grads = tape.gradient(class_channel, conv_out)
pooled = tf.reduce_mean(grads, axis=(0, 1, 2))
heatmap = tf.squeeze(conv_out[0] @ pooled[..., tf.newaxis])
heatmap = tf.maximum(heatmap, 0) / (tf.reduce_max(heatmap) + 1e-8)
print(heatmap.numpy().shape)
RESULT = gradient_status([grads])
