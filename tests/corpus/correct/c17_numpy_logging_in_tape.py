# gradls-fixture: tf-verdict=ok
# gradls-expect:
# .numpy() and NumPy used only for logging, even inside the tape: the loss itself stays a tensor.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
optimizer = keras.optimizers.SGD(0.01)
x = tf.random.normal((8, 3))
y = tf.random.normal((8, 1))
log = []

for epoch in range(2):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = tf.reduce_mean(tf.square(pred - y))
        print("epoch", epoch, "pred mean", np.mean(pred.numpy()), "loss", loss.numpy())
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    log.append({"loss": float(loss), "grad_norm": float(tf.linalg.global_norm(grads))})

RESULT = gradient_status(grads)
