# gradls-fixture: tf-verdict=raises:TypeError
# gradls-expect: TFG019@14
# source: https://github.com/tensorflow/tensorflow/issues/42386
# A custom loss function of a GradientTape training loop computes its value and falls off its end: the loss is
# None, and tape.gradient raises TypeError: Argument `target` should be a list or nested structure of Tensors,
# Variables or CompositeTensors to be differentiated, but received None.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam(1e-3)


def get_loss(y_true, y_pred):
    loss = tf.reduce_mean(tf.square(y_true - y_pred))


x = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")
for step in range(3):
    with tf.GradientTape() as tape:
        pred = model(x)
        loss = get_loss(y, pred)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
