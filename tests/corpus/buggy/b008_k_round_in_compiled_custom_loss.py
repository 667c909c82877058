# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG008@14
# source: https://github.com/keras-team/keras/issues/4175
# "Error using K.round() in custom loss function": the compiled loss rounds y_pred; round has no gradient,
# so fit() finds no gradient for any weight.
import numpy as np
from tensorflow import keras
from tensorflow.keras import backend as K

keras.utils.set_random_seed(0)


def custom_loss(y_true, y_pred):
    return K.mean(K.abs(K.round(y_pred) - y_true), axis=-1)


model = keras.Sequential([keras.Input((10,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss=custom_loss)
x_train = np.random.rand(32, 10).astype("float32")
y_train = (np.random.rand(32, 1) > 0.5).astype("float32")
model.fit(x_train, y_train, epochs=1, batch_size=8, verbose=0)
RESULT = ["ok"]
