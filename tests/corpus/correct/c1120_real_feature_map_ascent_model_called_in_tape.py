# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://isolution.pro/q/so69914111/tensorflow-2-wa-kobai-o-keisanshimasen (corrected: the layer model is
# called on the image inside the tape, the image is watched, and the gradient is taken with respect to the image
# itself rather than a slice made outside the tape)
import numpy as np
import tensorflow as tf
from tensorflow.keras.applications import vgg16


class maxFeatureMap:
    def __init__(self, model):
        self.model = model
        self.optimizer = tf.keras.optimizers.Adam()

    def getGradient(self, layer, feature_map):
        pic = vgg16.preprocess_input(np.random.uniform(size=(1, 16, 16, 3)))
        pic = tf.convert_to_tensor(pic, dtype=tf.float32)
        model = tf.keras.Model(inputs=self.model.inputs, outputs=self.model.layers[layer].output)
        with tf.GradientTape() as tape:
            tape.watch(pic)
            predictions = model(pic)[0][:, :, feature_map]
            loss = tf.reduce_mean(predictions)
        gradients = tape.gradient(loss, pic)
        return gradients


model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(16, 16, 3)),
        tf.keras.layers.Conv2D(8, 3, activation="relu", padding="same", name="block1_conv1"),
        tf.keras.layers.Conv2D(8, 3, padding="same", name="block1_conv2"),
    ]
)
RESULT = gradient_status([maxFeatureMap(model).getGradient(1, 0)])
