# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: the corrected form of b047_mlp_zero_kernels_never_learn: default (Glorot) kernels, zero biases; every
# kernel moves under fit.
import numpy as np
import tensorflow as tf
from tensorflow import keras

x = np.random.rand(64, 5).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 2.5).astype("float32")
model = keras.Sequential(
    [
        keras.Input((5,)),
        keras.layers.Dense(16, activation="relu", bias_initializer="zeros"),
        keras.layers.Dense(1, activation="sigmoid", bias_initializer="zeros"),
    ]
)
model.compile(optimizer="adam", loss="binary_crossentropy")
before = [model.layers[0].kernel.numpy().copy(), model.layers[1].kernel.numpy().copy()]
model.fit(x, y, epochs=3, verbose=0)
RESULT = gradient_status([model.layers[0].kernel.numpy() - before[0], model.layers[1].kernel.numpy() - before[1]])
