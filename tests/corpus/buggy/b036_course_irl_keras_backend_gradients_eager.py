# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG036@72
# source: https://github.com/mlittmancs/great_courses_ml/issues/78
# The Great Courses "Introduction to Machine Learning" L21 notebook (inverse reinforcement learning on a 5x10 grid):
# a soft value-iteration planner built with Keras backend ops on a placeholder reward vector, then
# `grads = K.gradients(loss, rk)[0]` to fit the rewards to a demonstrated trajectory. The notebook pins Keras 2
# (`pip install keras==...`, here `tf_keras`); the reporter: "at the last step `K.gradients()` fail[s] because of
# eager execution (which is on by default on this later version)". Fewer planning steps than the notebook's 50.
# TF 2.21 + tf_keras raise RuntimeError (tf.gradients is not supported when eager execution is enabled).
from functools import reduce

import numpy as np
import tf_keras.backend as K

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

rk = K.placeholder(len(r))
rfk = K.dot(K.constant(matmap), K.reshape(rk, (-1, 1)))
rffk = K.reshape(rfk, (-1, 1))
v = K.reshape(rfk, (-1, 1))
gamma = 0.90
beta = 10.0
for _ in range(10):
    qs = [K.dot(K.constant(mattrans[a]), v) for a in range(nacts)]
    Q = K.concatenate(qs)
    pi = K.softmax(beta * Q)
    v = rffk + gamma * K.reshape(K.sum(Q * pi, axis=1), (-1, 1))

trajacts = [1, 1, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 4]
trajcoords = reduce(
    (lambda seq, a: seq + [[seq[len(seq) - 1][0] + acts[a][0], seq[len(seq) - 1][1] + acts[a][1]]]), trajacts, [[0, 0]]
)
loss = 0
for i in range(len(trajacts)):
    acti = trajacts[i]
    state = trajcoords[i]
    loss += -K.log(pi[state[0] * ncols + state[1]][acti])

learning_rate = 0.001
r = np.random.rand(5) * 2 - 1
grads = K.gradients(loss, rk)[0]
iterate = K.function([rk], [loss, grads])
for iter in range(20):
    loss_value, grads_value = iterate([r])
    r -= learning_rate * grads_value
RESULT = ["ok"]
