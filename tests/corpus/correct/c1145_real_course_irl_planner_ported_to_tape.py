# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/mlittmancs/great_courses_ml/issues/78
# Corrected for TF 2: the notebook's planner and trajectory loss written with tf ops on a tf.Variable reward
# vector, recorded by a GradientTape; tape.gradient replaces K.gradients and the rewards are fitted (RESULT).
from functools import reduce

import numpy as np
import tensorflow as tf

nrows, ncols, ncats = 5, 10, 5
grid_map = np.array([[0, 0, 0, 0, 0, 2, 0, 0, 1, 0],
                     [0, 1, 0, 0, 0, 2, 0, 0, 0, 0],
                     [0, 0, 0, 0, 0, 2, 1, 3, 0, 0],
                     [0, 0, 0, 1, 0, 2, 0, 3, 0, 0],
                     [0, 0, 0, 0, 0, 2, 0, 3, 0, 4]])
r = np.array([0, -1, -1, -1, 10])
matmap = np.zeros((nrows, ncols, ncats))
for i in range(nrows):
    for j in range(ncols):
        for k in range(ncats):
            matmap[i, j, k] = 0 + (grid_map[i, j] == k)


def clip(v, min, max):
    if v < min:
        v = min
    if v > max - 1:
        v = max - 1
    return v


acts = [(-1, 0), (0, 1), (1, 0), (0, -1), (0, 0)]
nacts = len(acts)
mattrans = np.zeros((nacts, nrows * ncols, nrows * ncols))
for acti in range(nacts):
    act = acts[acti]
    for i1 in range(nrows):
        for j1 in range(ncols):
            inext = clip(i1 + act[0], 0, nrows)
            jnext = clip(j1 + act[1], 0, ncols)
            mattrans[acti, i1 * ncols + j1, inext * ncols + jnext] = 1

rk = tf.Variable(np.random.rand(5) * 2 - 1, dtype=tf.float32)
trajacts = [1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 4]
trajcoords = reduce(
    (lambda seq, a: seq + [[seq[len(seq) - 1][0] + acts[a][0], seq[len(seq) - 1][1] + acts[a][1]]]), trajacts, [[0, 0]]
)
gamma = 0.90
beta = 10.0
learning_rate = 0.001
for iter in range(20):
    with tf.GradientTape() as tape:
        rfk = tf.matmul(tf.constant(matmap.reshape(-1, ncats), tf.float32), tf.reshape(rk, (-1, 1)))
        rffk = tf.reshape(rfk, (-1, 1))
        v = rffk
        for _ in range(10):
            qs = [tf.matmul(tf.constant(mattrans[a], tf.float32), v) for a in range(nacts)]
            Q = tf.concat(qs, axis=1)
            pi = tf.nn.softmax(beta * Q)
            v = rffk + gamma * tf.reshape(tf.reduce_sum(Q * pi, axis=1), (-1, 1))
        loss = 0.0
        for i in range(len(trajacts)):
            acti = trajacts[i]
            state = trajcoords[i]
            loss += -tf.math.log(pi[state[0] * ncols + state[1]][acti])
    grads_value = tape.gradient(loss, rk)
    rk.assign_sub(learning_rate * grads_value)
RESULT = gradient_status([grads_value])
