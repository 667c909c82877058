# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG015@22
# source: https://github.com/tensorflow/tensorflow/issues/46194
# Filter visualization (Deep Learning with Python, ch. 5) ported to a tape: the loss is built from a layer's
# symbolic output and the gradient is asked w.r.t. model.input, a KerasTensor the tape never saw.
import numpy as np
import tensorflow as tf
from keras import layers, models, ops

inp = layers.Input(shape=(32, 32, 3))
h = layers.Conv2D(8, 3, activation="relu", name="block3_conv1")(inp)
h = layers.Conv2D(8, 3, activation="relu", name="block3_conv2")(h)
model = models.Model(inp, h)

layer_name = "block3_conv1"
filter_index = 0

layer_output = model.get_layer(layer_name).output
loss = ops.mean(layer_output[:, :, :, filter_index])

with tf.GradientTape() as gtape:
    grads = gtape.gradient(loss, model.input)[0]

input_img_data = np.random.random((1, 32, 32, 3)) * 20 + 128.0
print(grads)
