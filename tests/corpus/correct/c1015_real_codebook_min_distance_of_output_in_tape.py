# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://datascience.stackexchange.com/questions/57878/how-to-use-a-loss-function-that-is-not-differentiable
# (corrected: the codebook is computed by the network inside the tape, so the minimum distance depends on its weights)
import itertools

import numpy as np
import tensorflow as tf

np.random.seed(1331)
weight1 = np.random.normal(loc=0.0, scale=0.01, size=[2, 3])
find_code = tf.keras.Sequential(
    [tf.keras.Input((2,)), tf.keras.layers.Dense(3, activation="sigmoid", kernel_initializer=tf.constant_initializer(weight1))]
)
opt = tf.keras.optimizers.Adam()

input_bit = np.array([list(k) for k in itertools.product([0, 1], repeat=2)], dtype=np.float32)
with tf.GradientTape() as tape:
    code_out = find_code(input_bit)
    distances = []
    for i in range(0, 3):
        for j in range(i + 1, 3):
            distances.append(tf.linalg.norm(code_out[i] - code_out[j]))
    loss = -tf.reduce_min(distances)
grads = tape.gradient(loss, find_code.trainable_variables)
opt.apply_gradients(zip(grads, find_code.trainable_variables))
RESULT = gradient_status(grads)
