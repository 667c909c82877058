# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG027@14
# source: modelled on tf.Module "gradient is None for my weight" questions (a transpose of the variable cached in
# __init__); lead's realistic programs, session 7. `__call__` reads the snapshot, so `w` gets None (TF 2.21; the
# Keras optimizer warns "Gradients do not exist for variables ['w:0']").
import tensorflow as tf


class Linear(tf.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = tf.Variable(tf.random.normal((n_out, n_in)), name="w")
        self.b = tf.Variable(tf.zeros((n_out,)), name="b")
        self.w_t = tf.transpose(self.w)

    def __call__(self, x):
        return x @ self.w_t + self.b


lin = Linear(3, 2)
opt = tf.keras.optimizers.SGD(0.1)
x = tf.random.normal((4, 3))
y = tf.random.normal((4, 2))
with tf.GradientTape() as tape:
    loss = tf.reduce_mean((lin(x) - y) ** 2)
grads = tape.gradient(loss, [lin.w, lin.b])
RESULT = gradient_status(grads)
