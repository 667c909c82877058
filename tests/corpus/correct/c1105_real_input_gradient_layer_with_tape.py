# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/13050 (corrected: the derivative of the first network's output
# with respect to `x` is taken by a layer that runs that network under its own GradientTape on the real inputs,
# instead of a Lambda that hands the symbolic Input `x` to tf.gradients)
import numpy as np
import tensorflow as tf
import keras as k


class InputGradient(k.layers.Layer):
    def __init__(self, net, **kwargs):
        super().__init__(**kwargs)
        self.net = net

    def call(self, inputs):
        x, y = inputs
        with tf.GradientTape() as tape:
            tape.watch(x)
            T = self.net(tf.concat([x, y], axis=-1))
        return tape.gradient(T, x)


net = k.Sequential([k.Input((2,)), k.layers.Dense(50, activation="tanh"), k.layers.Dense(50, activation="tanh"), k.layers.Dense(1, use_bias=False)])
x = k.layers.Input(shape=(1,), name="x")
y = k.layers.Input(shape=(1,), name="y")
dT_dx = InputGradient(net)([x, y])
lay = k.layers.Dense(50, name="lay3")(dT_dx)
out = k.layers.Dense(1, name="out")(lay)
model = k.models.Model([x, y], out)
model.compile(optimizer="adam", loss="mse")
xs, ys = np.random.rand(8, 1).astype("float32"), np.random.rand(8, 1).astype("float32")
model.fit([xs, ys], np.random.rand(8, 1), epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(model([xs, ys]))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
