"""mixed_float16 training in a tf.function loop with a loss-scale optimizer, for many steps. The
batch of step 27 holds a NaN (an unsampled step when probed for 40 steps): the scaled gradients
are NaN, so the optimizer skips that update by design. Not a broken gradient."""

import keras
import tensorflow as tf

keras.mixed_precision.set_global_policy("mixed_float16")
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
# A small initial scale: no float16 overflow but the planted NaN.
optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(1e-3), initial_scale=2.0**8)
x = tf.random.stateless_normal((16, 4), seed=(3, 4))
y = tf.reduce_sum(x, axis=1, keepdims=True)


@tf.function
def train_step(step):
    batch = tf.where(tf.equal(step, 27), float("nan"), x)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.cast(model(batch), tf.float32) - y))
        scaled = optimizer.scale_loss(loss)
    grads = tape.gradient(scaled, model.trainable_variables)  # CASE: scaled
    optimizer.apply(grads, model.trainable_variables)  # CASE: apply
    return loss


for step in range(1, 201):
    train_step(tf.constant(step))
