# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/4175 (without K.round)
# The same compiled custom loss on the sigmoid output itself: fit trains every weight.
import numpy as np
from tensorflow import keras
from tensorflow.keras import backend as K

keras.utils.set_random_seed(0)


def custom_loss(y_true, y_pred):
    return K.mean(K.abs(y_pred - y_true), axis=-1)


model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=custom_loss)
x_train = np.random.rand(32, 10).astype("float32")
y_train = (np.random.rand(32, 1) > 0.5).astype("float32")
before = [w.numpy().copy() for w in model.trainable_weights]
model.fit(x_train, y_train, epochs=1, batch_size=8, verbose=0)
RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
