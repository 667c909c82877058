# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG038@28
# source: modelled on Grad-CAM usage (the keras.io Grad-CAM example's make_gradcam_heatmap, edited)
# The feature map is unpacked from grad_model's first output, but the class score is taken from a second, separate
# pass of the whole model: the score is not computed from that feature map, tape.gradient returns None and
# tf.reduce_mean(None) raises ValueError (TF 2.21).
import numpy as np
import tensorflow as tf
from tensorflow import keras

inputs = keras.Input((64, 64, 3))
x = keras.layers.Conv2D(16, 3, activation="relu", name="conv1")(inputs)
x = keras.layers.Conv2D(32, 3, activation="relu", name="last_conv")(x)
x = keras.layers.GlobalAveragePooling2D()(x)
outputs = keras.layers.Dense(5, activation="softmax")(x)
model = keras.Model(inputs, outputs)

grad_model = keras.Model(model.inputs, [model.get_layer("last_conv").output, model.output])


def make_gradcam_heatmap(img_array, pred_index=None):
    with tf.GradientTape() as tape:
        last_conv_layer_output, _ = grad_model(img_array)
        preds = model(img_array)
        if pred_index is None:
            pred_index = tf.argmax(preds[0])
        class_channel = preds[:, pred_index]
    grads = tape.gradient(class_channel, last_conv_layer_output)
    pooled_grads = tf.reduce_mean(grads, axis=(0, 1, 2))
    heatmap = last_conv_layer_output[0] @ pooled_grads[..., tf.newaxis]
    heatmap = tf.squeeze(heatmap)
    heatmap = tf.maximum(heatmap, 0) / tf.math.reduce_max(heatmap)
    return heatmap.numpy()


img = np.random.rand(1, 64, 64, 3).astype("float32")
hm = make_gradcam_heatmap(img)
print(hm.shape)
