# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/104521 (corrected)
# Grad-CAM through a model that returns the feature map with the predictions: the tape watches a real tensor.
import numpy as np
import tensorflow as tf
from tensorflow import keras

inp = keras.Input(shape=(16, 16, 3))
f = keras.layers.Conv2D(8, 3, activation="relu", name="conv_last")(inp)
base_model = keras.Model(inp, f)
x = base_model.output
x = keras.layers.GlobalAveragePooling2D()(x)
predictions = keras.layers.Dense(3, activation="sigmoid")(x)
model = keras.Model(inputs=base_model.input, outputs=predictions)
grad_model = keras.Model(model.inputs, [model.get_layer("conv_last").output, model.output])

image = np.random.rand(1, 16, 16, 3).astype("float32")
with tf.GradientTape() as tape:
    spatial_map, preds = grad_model(image)
    tape.watch(spatial_map)
    score = preds[:, 0]
grads = tape.gradient(score, spatial_map)
print("grad None:", grads is None, "norm", float(tf.norm(grads)))
RESULT = gradient_status([grads])
