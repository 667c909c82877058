# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/14651 (the usual answer: carry delta in y_true)
# The per-sample weight travels with the targets, so the loss only sees real tensors under fit().
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model

tf.keras.utils.set_random_seed(0)
inputs = Input(shape=(6,))
hidden = Dense(8, activation="relu")(inputs)
out = Dense(3, activation="softmax")(hidden)
model = Model(inputs, out)


def custom_loss(y_true, y_pred):
    delta = y_true[:, 3:]
    y_true = y_true[:, :3]
    out = K.clip(y_pred, 1e-8, 1 - 1e-8)
    log_lik = y_true * K.log(out)
    return K.sum(-log_lik * delta)


model.compile(optimizer="adam", loss=custom_loss)
x = np.random.rand(16, 6).astype("float32")
d = np.random.rand(16, 1).astype("float32") + 0.5
y = np.eye(3, dtype="float32")[np.random.randint(0, 3, 16)]
before = [w.numpy().copy() for w in model.trainable_weights]
model.fit(x, np.concatenate([y, d], axis=1), epochs=1, verbose=0)
RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
