# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/34983 (corrected: the optimizer is created once, outside
# the `@tf.function` step, as the thread's fix says; every weight gets a gradient)
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)])
loss_fn = tf.keras.losses.MeanSquaredError()
optimizer = tf.keras.optimizers.Adam(0.001)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return grads


x = np.random.rand(16, 4).astype("float32")
y = np.random.rand(16, 1).astype("float32")
for epoch in range(3):
    grads = train_step(x, y)
RESULT = gradient_status(grads)
