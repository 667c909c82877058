# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG047@16
# source: modelled on "my network outputs the same value for every input / weights stay zero" questions (every
# weight initialised to zero, as a logistic-regression tutorial does, in a two-layer network); lead's realistic
# programs, session 7. The hidden ReLU layer outputs 0 and the output kernel is 0: both kernels get exactly zero
# gradients at every step and fit leaves them at zero (TF 2.21, no warning). RESULT: how much each kernel moved.
import numpy as np
import tensorflow as tf
from tensorflow import keras

x = np.random.rand(64, 5).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 2.5).astype("float32")
model = keras.Sequential(
    [
        keras.Input((5,)),
        keras.layers.Dense(16, activation="relu", kernel_initializer="zeros"),
        keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros"),
    ]
)
model.compile(optimizer="adam", loss="binary_crossentropy")
before = [model.layers[0].kernel.numpy().copy(), model.layers[1].kernel.numpy().copy()]
model.fit(x, y, epochs=3, verbose=0)
RESULT = gradient_status([model.layers[0].kernel.numpy() - before[0], model.layers[1].kernel.numpy() - before[1]])
