# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG006@15
# source: https://github.com/keras-team/keras/issues/13502
# K.stop_gradient in a Lambda right after the conv layer: the conv layer is never trained.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Conv2D, Dense, Flatten, Input, Lambda
from tensorflow.keras.models import Model

tf.keras.utils.set_random_seed(0)
num_samples = 4
inp = Input((10, 10, 3))
x = Conv2D(8, 3, activation="relu")(inp)
x = Lambda(lambda t: K.stop_gradient(t))(x)
x = Flatten()(x)
out = Dense(2)(x)
model = Model(inp, out)
model.compile(optimizer="adam", loss="mse")
data = np.random.rand(num_samples, 10, 10, 3).astype("float32")
target = np.random.rand(num_samples, 2).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(model(data) - target))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
