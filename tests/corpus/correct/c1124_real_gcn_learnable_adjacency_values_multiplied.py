# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/danielegrattarola/spektral/issues/395 (the reporter's working variant: GCNConv,
# whose single-mode sparse path multiplies by the adjacency, `modal_dot(a, x @ kernel)`, so the adjacency's values,
# and the Dense layers that make them, get gradients)
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

N, F = 6, 3


class GCNConv(layers.Layer):
    def __init__(self, channels, **kwargs):
        super().__init__(**kwargs)
        self.channels = channels

    def build(self, input_shape):
        self.kernel = self.add_weight(name="kernel", shape=[input_shape[0][-1], self.channels])

    def call(self, inputs):
        x, a = inputs
        return tf.nn.relu(tf.sparse.sparse_dense_matmul(a, tf.matmul(x, self.kernel)))


rng = np.random.default_rng(0)
X = tf.constant(rng.normal(size=(N, F)), dtype=tf.float32)
A0 = tf.constant((rng.random((N, N)) > 0.5).astype("float32"))
y = tf.constant(rng.normal(size=(N, 1)), dtype=tf.float32)

adjacency_dense = layers.Dense(N, activation="relu")
gcn = GCNConv(4)
head = layers.Dense(1)

with tf.GradientTape() as tape:
    a = tf.sparse.from_dense(adjacency_dense(A0))
    loss = tf.reduce_mean(tf.square(head(gcn([X, a])) - y))
variables = adjacency_dense.trainable_variables + gcn.trainable_variables
RESULT = gradient_status(tape.gradient(loss, variables))
