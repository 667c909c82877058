# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/39358 (corrected: the list is read after the model
# has been called, inside the step)
import numpy as np
import tensorflow as tf

keras = tf.keras
keras.utils.set_random_seed(0)


class MaskMean(keras.layers.Layer):
    def __init__(self, trainable=True):
        super().__init__()
        self.dropout = keras.layers.Dropout(0.1, trainable=trainable)

    def call(self, x, training=False):
        return tf.reduce_mean(self.dropout(x, training=training), axis=1)


class Predict(keras.layers.Layer):
    def __init__(self, trainable=True):
        super().__init__()
        self.dense_layer = keras.layers.Dense(32, activation="relu", trainable=trainable)
        self.predict = keras.layers.Dense(1, trainable=trainable)

    def call(self, x):
        return self.predict(self.dense_layer(x))


class Regulation(keras.Model):
    def __init__(self, trainable=True):
        super().__init__()
        self.mask_mean_layer = MaskMean(trainable=trainable)
        self.predict_layer = Predict(trainable=trainable)

    def call(self, x, training=False):
        return self.predict_layer(self.mask_mean_layer(x, training=training))


rmodel = Regulation(trainable=True)
optimizer = keras.optimizers.Adam(1e-3)
x = np.random.rand(16, 10, 8).astype("float32")
y = np.random.rand(16, 1).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(rmodel(x, training=True) - y))
grads = tape.gradient(loss, rmodel.trainable_variables)
optimizer.apply_gradients(zip(grads, rmodel.trainable_variables))
RESULT = gradient_status(grads)
