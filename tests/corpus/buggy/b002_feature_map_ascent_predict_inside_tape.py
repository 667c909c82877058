# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG002@24
# source: https://isolution.pro/q/so69914111/tensorflow-2-wa-kobai-o-keisanshimasen
# Maximising one feature map of a CNN layer by gradient ascent on the input image: the layer's output is computed
# with `model.predict` inside the tape (a NumPy array, so nothing is recorded) and the gradient is asked for a slice
# of the image taken outside the tape. The reporter's VGG16 is a small Conv2D stand-in (weights=None would only
# make the download-free network larger); the gradient is None.
import numpy as np
import tensorflow as tf
from tensorflow.keras.applications import vgg16


class maxFeatureMap:
    def __init__(self, model):
        self.model = model
        self.optimizer = tf.keras.optimizers.Adam()

    def getGradient(self, layer, feature_map):
        pic = vgg16.preprocess_input(np.random.uniform(size=(1, 16, 16, 3)))  ## Creates values between 0 and 1
        pic = tf.convert_to_tensor(pic, dtype=tf.float32)
        model = tf.keras.Model(inputs=self.model.inputs, outputs=self.model.layers[layer].output)
        with tf.GradientTape() as tape:
            ## predicts the output of the model and only chooses the feature_map indicated
            predictions = model.predict(pic, steps=1, verbose=0)[0][:, :, feature_map]
            loss = tf.reduce_mean(predictions)
        gradients = tape.gradient(loss, pic[0])
        return gradients


model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(16, 16, 3)),
        tf.keras.layers.Conv2D(8, 3, activation="relu", padding="same", name="block1_conv1"),
        tf.keras.layers.Conv2D(8, 3, padding="same", name="block1_conv2"),
    ]
)
RESULT = gradient_status([maxFeatureMap(model).getGradient(1, 0)])
