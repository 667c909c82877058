# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/46325 (corrected)
# The layer's state is made with add_weight (trainable beta/gamma, non-trainable moving statistics): Keras tracks
# all four and trains beta and gamma.
import numpy as np
import tensorflow as tf
import keras


class BatchNormalization(keras.layers.Layer):
    def __init__(self, shape, **kwargs):
        super().__init__(**kwargs)
        self.beta = self.add_weight(name="beta", shape=(shape,), initializer="zeros")
        self.gamma = self.add_weight(name="gamma", shape=(shape,), initializer="ones")
        self.moving_mean = self.add_weight(name="moving_mean", shape=(shape,), initializer="zeros", trainable=False)
        self.moving_var = self.add_weight(name="moving_var", shape=(shape,), initializer="ones", trainable=False)

    def call(self, x):
        mean, var = tf.nn.moments(x, axes=[0])
        return tf.nn.batch_normalization(x, mean, var, self.beta, self.gamma, 1e-3)


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(4), BatchNormalization(4)])
x = np.random.RandomState(0).rand(8, 4).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(tf.square(model(x) - 1.0))
grads = tape.gradient(loss, model.trainable_variables)
bn = model.layers[-1]
trained = {id(v) for v in model.trainable_variables}
RESULT = gradient_status(grads) + ["none" for v in (bn.beta, bn.gamma) if id(v) not in trained]
