# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG006@16
# source: https://mindfulchase.com/explore/troubleshooting-tips/machine-learning-and-ai-tools/advanced-troubleshooting-guide-for-keras-in-production-ml-workflows.html
# "Model trains but doesn't learn": the loss is the mean of tf.stop_gradient(y_pred - y_true), in a custom
# training loop over a tf.keras model.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((10,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)])
optimizer = tf.keras.optimizers.Adam(1e-3)
x = np.random.rand(64, 10).astype("float32")
y_true = np.random.rand(64, 1).astype("float32")

with tf.GradientTape() as tape:
    y_pred = model(x)
    loss = tf.reduce_mean(tf.stop_gradient(y_pred - y_true))
grads = tape.gradient(loss, model.trainable_variables)
RESULT = gradient_status(grads)
optimizer.apply_gradients(zip(grads, model.trainable_variables))
