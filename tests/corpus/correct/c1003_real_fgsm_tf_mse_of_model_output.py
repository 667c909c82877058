# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/afraarslan/adversarial-attacks/issues/1 (corrected: the reconstruction error is a
# TensorFlow loss of the model's output computed on the watched input under the tape)
import numpy as np
import tensorflow as tf

X_test = np.random.rand(16, 8).astype("float32")
model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(3, activation="relu"), tf.keras.layers.Dense(8)])
mse = tf.keras.losses.MeanSquaredError()

X_tf = tf.convert_to_tensor(X_test, dtype=tf.float32)
with tf.GradientTape() as tape:
    tape.watch(X_tf)
    lossFunction = mse(X_tf, model(X_tf))
gradientFunction = tape.gradient(lossFunction, X_tf)
signed_grad = tf.sign(gradientFunction)
perturbed_data = X_test + 0.2 * signed_grad
RESULT = gradient_status([gradientFunction])
