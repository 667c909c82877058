# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/46194 (corrected)
# Keras 3's filter visualization: a feature extractor called on a watched image inside the tape.
import numpy as np
import tensorflow as tf
from keras import layers, models, ops

inp = layers.Input(shape=(32, 32, 3))
h = layers.Conv2D(8, 3, activation="relu", name="block3_conv1")(inp)
h = layers.Conv2D(8, 3, activation="relu", name="block3_conv2")(h)
model = models.Model(inp, h)

layer_name = "block3_conv1"
filter_index = 0
feature_extractor = models.Model(model.inputs, model.get_layer(layer_name).output)

input_img_data = tf.convert_to_tensor(np.random.random((1, 32, 32, 3)) * 20 + 128.0, tf.float32)
for i in range(3):
    with tf.GradientTape() as gtape:
        gtape.watch(input_img_data)
        loss = ops.mean(feature_extractor(input_img_data)[:, :, :, filter_index])
    grads = gtape.gradient(loss, input_img_data)
    grads /= ops.sqrt(ops.mean(ops.square(grads))) + 1e-5
    input_img_data += grads * 1.0
print("grad norm", float(tf.norm(grads)))
RESULT = gradient_status([grads])
