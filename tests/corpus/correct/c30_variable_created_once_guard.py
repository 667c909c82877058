# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A tf.Variable created lazily inside @tf.function behind an `is None` guard: created on the first trace only.
import tensorflow as tf

tf.random.set_seed(0)


class Scaler(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = None

    @tf.function
    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.ones((x.shape[-1],)))
        return x * self.w


scaler = Scaler()
x = tf.random.normal((4, 3))
for _ in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(scaler(x) - 1.0))
    grads = tape.gradient(loss, scaler.trainable_variables)
RESULT = gradient_status(grads)
