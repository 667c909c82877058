# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/King-Of-Knights/overcoming-catastrophic/issues/1 (corrected, as the thread's answer does)
# The Fisher information from a GradientTape per sample: the log-probabilities recorded, tape.gradient per weight.
import numpy as np
import tensorflow as tf
from tensorflow import keras

model = keras.Sequential(
    [keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(4, activation="softmax")]
)
imgset = np.random.RandomState(0).rand(20, 8).astype("float32")
num_sample = 5

f_accum = [np.zeros(w.shape, "float32") for w in model.trainable_variables]
for j in range(num_sample):
    img_index = np.random.randint(imgset.shape[0])
    with tf.GradientTape() as tape:
        output = model(np.expand_dims(imgset[img_index], 0))
        log_prob = tf.math.log(output)
    grads = tape.gradient(log_prob, model.trainable_variables)
    for m, g in enumerate(grads):
        f_accum[m] += np.square(g.numpy())
f_accum = [f / num_sample for f in f_accum]
RESULT = gradient_status(grads)
