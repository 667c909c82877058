# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/13502
# corrected: the stop_gradient branch is an extra (detached) feature; the conv output also reaches the head directly.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Concatenate, Conv2D, Dense, Flatten, Input, Lambda
from tensorflow.keras.models import Model

tf.keras.utils.set_random_seed(0)
num_samples = 4
inp = Input((10, 10, 3))
x = Conv2D(8, 3, activation="relu")(inp)
frozen = Lambda(lambda t: K.stop_gradient(t))(x)
x = Concatenate()([Flatten()(x), Flatten()(frozen)])
out = Dense(2)(x)
model = Model(inp, out)
model.compile(optimizer="adam", loss="mse")
data = np.random.rand(num_samples, 10, 10, 3).astype("float32")
target = np.random.rand(num_samples, 2).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(data) - target))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
