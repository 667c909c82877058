# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG036@20
# source: https://github.com/tensorflow/tensorflow/issues/34235
# Filter visualization: K.gradients of a filter's activation w.r.t. the input, in eager TF 2.
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
    loss = K.mean(model(img)[:, filter_index])
    grads = K.gradients(loss, img)[0]
    return img + grads


print(vis_img_in_filter(np.random.rand(1, 28, 28, 1).astype("float32")))
