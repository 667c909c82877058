# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/33135 (corrected)
# The same heatmap with tf.GradientTape and a model returning the conv output and the predictions.
import numpy as np
import tensorflow as tf

inp = tf.keras.Input(shape=(32, 32, 3), name="model_input")
h = tf.keras.layers.Conv2D(8, 3, activation="relu", name="block5_conv3")(inp)
conv_out = h
h = tf.keras.layers.GlobalAveragePooling2D()(h)
out = tf.keras.layers.Dense(4, activation="softmax")(h)
model = tf.keras.Model(inp, out)
grad_model = tf.keras.Model(inp, [conv_out, out])

img_tensor = np.random.rand(1, 32, 32, 3).astype("float32")
with tf.GradientTape() as tape:
    conv_value, preds = grad_model(img_tensor)
    class_score = preds[:, tf.argmax(preds[0])]
grads = tape.gradient(class_score, conv_value)
pooled_grads = tf.reduce_mean(grads, axis=(0, 1, 2))
RESULT = gradient_status([grads])
