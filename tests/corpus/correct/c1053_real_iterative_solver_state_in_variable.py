# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/42223 (corrected: the iterate is a `tf.Variable` updated
# with `assign`, so each call of the traced step moves it and the loss falls)
import numpy as np
import tensorflow as tf


class Solver:
    def __init__(self, A, b, alpha):
        self.A = A
        self.b = b
        self.alpha = alpha
        self.x = tf.Variable(tf.zeros_like(b))

    @tf.function
    def step(self):
        with tf.GradientTape() as tape:
            r = self.b - tf.matmul(self.A, self.x)
            loss = tf.reduce_sum(r**2) / tf.reduce_sum(self.b**2)
        grad = tape.gradient(loss, self.x)
        self.x.assign(self.x + self.alpha * r)
        return loss, grad


A = tf.constant(np.eye(4) * 0.5 + 0.1, tf.float32)
b = tf.constant(np.ones((4, 1)), tf.float32)
solver = Solver(A, b, 0.2)
for i in range(5):
    loss, grad = solver.step()
    print("Step %2d: loss %.8e" % (i, loss))
RESULT = gradient_status([grad])
