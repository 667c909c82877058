# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG036@22
# source: https://github.com/tensorflow/tensorflow/issues/33135
# Grad-CAM heatmap code from Keras 2 / TF 1 moved to TF 2: K.gradients of a class score w.r.t. the last conv
# layer's output, run as a script. TF 2 executes eagerly: RuntimeError: tf.gradients is not supported when eager
# execution is enabled. Use tf.GradientTape instead.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K

inp = tf.keras.Input(shape=(32, 32, 3), name="model_input")
h = tf.keras.layers.Conv2D(8, 3, activation="relu", name="block5_conv3")(inp)
h = tf.keras.layers.GlobalAveragePooling2D()(h)
out = tf.keras.layers.Dense(4, activation="softmax")(h)
model = tf.keras.Model(inp, out)

img_tensor = np.random.rand(1, 32, 32, 3).astype("float32")
preds = model.predict(img_tensor, verbose=0)
model_prediction = model.output[:, int(np.argmax(preds[0]))]

conv_layer = model.get_layer("block5_conv3")
grads = K.gradients(model_prediction, conv_layer.output)[0]
pooled_grads = K.mean(grads, axis=(0, 1, 2))
