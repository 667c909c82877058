# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG007@12
# source: https://github.com/keras-team/keras/issues/12503
# "Trainable variable defined inside loss function is not getting trained": a tf.Variable(trainable=True) made in
# a custom loss given to compile(). The thread has no code; the loss is a weighted MSE whose weight is that
# variable. Keras 2 ran it and never trained it; TF 2.21 raises while fit traces the step.
import numpy as np
import tensorflow as tf


def custom_loss(y_true, y_pred):
    alpha = tf.Variable(1.0, trainable=True, name="alpha")
    return tf.reduce_mean(tf.square(y_true - y_pred)) * tf.nn.softplus(alpha)


model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss=custom_loss)
x = np.random.rand(32, 3).astype("float32")
y = np.random.rand(32, 1).astype("float32")
model.fit(x, y, epochs=2, verbose=0)
