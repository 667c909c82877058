# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://markaicode.com/custom-gradients-non-differentiable-losses (corrected: a steep sigmoid stands in
# for the hard threshold, so the loss stays differentiable)
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def soft_threshold_loss(y_true, y_pred):
    y_pred_soft = tf.sigmoid(20.0 * (y_pred - 0.5))
    return tf.reduce_mean(tf.square(y_true - y_pred_soft))


model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=soft_threshold_loss)
x = np.random.rand(64, 4).astype("float32")
y = np.random.randint(0, 2, (64, 1)).astype("float32")
with tf.GradientTape() as tape:
    loss = soft_threshold_loss(y, model(x))
grads = tape.gradient(loss, model.trainable_variables)
model.fit(x, y, epochs=1, verbose=0)
RESULT = gradient_status(grads)
