# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG014@17
# source: https://github.com/tensorflow/tensorflow/issues/60004
# A Keras model keeps a scalar factor as a raw tf.Variable made with trainable=False and then tries to make it
# trainable by setting `.trainable` (in __init__, and again on the model after construction). A tf.Variable's
# `trainable` is read-only: TF 2.10 raised "AttributeError: can't set attribute"; TF 2.21 raises
# "AttributeError: property 'trainable' of 'ResourceVariable' object has no setter" at the first assignment.
import numpy as np
import tensorflow as tf


class model(tf.keras.Model):
    def __init__(self):
        super(model, self).__init__()
        self.b = self.add_weight(shape=(1, 5), trainable=True)
        self.a = tf.Variable([1.0], trainable=False)
        self.a.trainable = True

    def call(self, inputs, training=None, mask=None):
        return self.a * self.b * inputs


input = np.random.randn(10, 5)
target = np.random.randn(10, 1)

model = model()
model.b.trainable = True
model.a.trainable = True
model.compile("adam", loss="mse")

model.fit(input, target, validation_data=(input, target), epochs=3, verbose=0)
RESULT = gradient_status([model.a.numpy()])
