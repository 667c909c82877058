# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/34235 (corrected: GradientTape)
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Conv2D, Flatten
from tensorflow.keras.models import Sequential

model = Sequential()
model.add(Conv2D(filters=8, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1), use_bias=False))
model.add(Conv2D(filters=10, kernel_size=(26, 26), use_bias=False))
model.add(Flatten())


def vis_img_in_filter(img, filter_index=0):
    img = tf.Variable(img)
    with tf.GradientTape() as tape:
        loss = K.mean(model(img)[:, filter_index])
    grads = tape.gradient(loss, img)
    assert grads is not None and float(tf.reduce_sum(tf.abs(grads))) > 0
    return img + grads


print(vis_img_in_filter(np.random.rand(1, 28, 28, 1).astype("float32")).shape)
RESULT = ["ok"]  # non-zero input gradient checked in vis_img_in_filter
