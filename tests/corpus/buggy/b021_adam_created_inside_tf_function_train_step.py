# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG021@18
# source: https://github.com/tensorflow/tensorflow/issues/34983
# "tf.function-decorated function tried to create variables on non-first call": the Adam optimizer is constructed
# inside the `@tf.function` training step, so its variables are created again each time the function is traced.
# The thread's fix creates the optimizer once, outside. Reconstruction: the thread shows only the traceback and
# the fix; a small Dense regressor and MSE loss stand in for the model. TF 2.21 raises ValueError (tf.function
# only supports singleton tf.Variables created on the first call).
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
loss_fn = tf.keras.losses.MeanSquaredError()


@tf.function
def train_step(x, y):
    optimizer = tf.keras.optimizers.Adam(0.001)
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


x = np.random.rand(16, 4).astype("float32")
y = np.random.rand(16, 1).astype("float32")
for epoch in range(3):
    train_step(x, y)
