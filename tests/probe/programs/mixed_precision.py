"""mixed_float16 with a loss-scale optimizer whose first scale overflows float16: the optimizer
skips step 1 by design (and halves the scale); the later steps train. Not a NaN/Inf problem."""

import keras
import numpy as np

keras.mixed_precision.set_global_policy("mixed_float16")


def mean_output(y_true, y_pred):
    # dLoss/dOutput = the loss scale itself: 2**16 does not fit float16 (max 65504), 2**15 does.
    return keras.ops.mean(y_pred)


model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, use_bias=False, kernel_initializer="ones")])
optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(1e-6), initial_scale=2.0**16)
model.compile(optimizer, mean_output)
model.fit(np.ones((64, 3)), np.zeros((64, 1)), batch_size=1, epochs=10, verbose=0)  # CASE: fit
