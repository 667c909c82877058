# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/84019 (corrected: tf.Variable, which tf.Module collects)
import tensorflow as tf


class MockLayer(tf.Module):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.m = tf.Variable(tf.random.normal([5, 5]), name="m")
        self.w = tf.Variable(tf.random.normal([5, 5]), name="w")

    def __call__(self, inputs):
        return self.m * inputs + self.w


layer1 = MockLayer()
optimizer = tf.keras.optimizers.SGD(0.1)
x = tf.random.normal([5, 5])
before = layer1.m.numpy().copy()
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(layer1(x)))
grads = tape.gradient(loss, layer1.trainable_variables)
print("trainable_variables:", [v.name for v in layer1.trainable_variables])
optimizer.apply_gradients(zip(grads, layer1.trainable_variables))
RESULT = gradient_status(grads)
