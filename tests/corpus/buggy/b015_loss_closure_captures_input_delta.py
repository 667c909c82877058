# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@23
# source: https://github.com/keras-team/keras/issues/14651
# "custom loss function using Keras input layer": `delta` is a keras Input used only by the loss closure.
# In Keras 3 the symbolic tensor reaches a TensorFlow op inside the compiled loss: ValueError under fit().
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model

tf.keras.utils.set_random_seed(0)
inputs = Input(shape=(6,))
delta = Input(shape=(1,))
hidden = Dense(8, activation="relu")(inputs)
out = Dense(3, activation="softmax")(hidden)
model = Model([inputs, delta], out)


def custom_loss(y_true, y_pred):
    out = K.clip(y_pred, 1e-8, 1 - 1e-8)
    log_lik = y_true * K.log(out)
    return K.sum(-log_lik * delta)


model.compile(optimizer="adam", loss=custom_loss)
x = np.random.rand(16, 6).astype("float32")
d = np.random.rand(16, 1).astype("float32")
y = np.eye(3, dtype="float32")[np.random.randint(0, 3, 16)]
model.fit([x, d], y, epochs=1, verbose=0)
RESULT = ["ok"]
