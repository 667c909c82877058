# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG043@11
# source: https://github.com/tensorflow/tensorflow/issues/84019
# A tf.Module whose weights are Keras 3 variables (tf.keras.Variable): tf.Module does not collect them.
import tensorflow as tf


class MockLayer(tf.Module):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.m = tf.keras.Variable(tf.random.normal([5, 5]), name="m")
        self.w = tf.keras.Variable(tf.random.normal([5, 5]), name="w")

    def __call__(self, inputs):
        return self.m * inputs + self.w


layer1 = MockLayer()
optimizer = tf.keras.optimizers.SGD(0.1)
x = tf.random.normal([5, 5])
before = layer1.m.numpy().copy()
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(layer1(x)))
grads = tape.gradient(loss, layer1.trainable_variables)
print("trainable_variables:", layer1.trainable_variables, "grads:", grads)
optimizer.apply_gradients(zip(grads, layer1.trainable_variables))
print("m changed:", not (before == layer1.m.numpy()).all())
