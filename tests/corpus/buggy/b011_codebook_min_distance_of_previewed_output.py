# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG011@29
# source: https://datascience.stackexchange.com/questions/57878/how-to-use-a-loss-function-that-is-not-differentiable
# A dense network maps 2-bit messages to 3-dim codewords; the loss is minus the smallest pairwise distance of the
# codebook. The TF 1 program ran the network once (`code_preview = sess.run(code, ...)`) and fed that preview back
# through a `code_out` placeholder the loss is built on, so the loss never depends on the weights: "No gradients
# provided for any variable". Here the preview is the model's output computed before the tape opens and the loss
# is built on it inside the tape.
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
code_out = find_code(input_bit)
with tf.GradientTape() as tape:
    distances = []
    for i in range(0, 3):
        for j in range(i + 1, 3):
            distances.append(tf.linalg.norm(code_out[i] - code_out[j]))
    loss = -tf.reduce_min(distances)
grads = tape.gradient(loss, find_code.trainable_variables)
RESULT = gradient_status(grads)
