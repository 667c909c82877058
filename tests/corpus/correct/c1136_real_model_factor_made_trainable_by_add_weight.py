# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/60004 (near-miss: the factor is a Keras weight made
# trainable by add_weight from the start; the model still sets `.trainable` on its other weight, which a Keras
# Variable allows; fit changes both)
import numpy as np
import tensorflow as tf


class model(tf.keras.Model):
    def __init__(self):
        super(model, self).__init__()
        self.b = self.add_weight(shape=(1, 5), trainable=True)
        self.a = self.add_weight(shape=(1,), initializer="ones", trainable=True)

    def call(self, inputs, training=None, mask=None):
        return self.a * self.b * inputs


input = np.random.randn(10, 5)
target = np.random.randn(10, 1)

model = model()
model.b.trainable = True
model.compile("adam", loss="mse")

before = model.a.numpy().copy()
model.fit(input, target, validation_data=(input, target), epochs=3, verbose=0)
RESULT = gradient_status([model.a.numpy() - before])
