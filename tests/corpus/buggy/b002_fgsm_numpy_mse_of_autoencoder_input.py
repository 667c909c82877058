# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG002@16
# source: https://github.com/afraarslan/adversarial-attacks/issues/1
# FGSM on an autoencoder's input: the loss is scikit-learn's mean_squared_error(X_tf, predictions) (SciPy and
# scikit-learn are not installed: it is written as the NumPy computation it runs), so the tape sees no op on
# X_tf (TF 2.0: a None gradient into tf.sign; TF 2.21 raises AttributeError at tape.gradient on the NumPy loss).
import numpy as np
import tensorflow as tf

X_test = np.random.rand(16, 8).astype("float32")
model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(3, activation="relu"), tf.keras.layers.Dense(8)])
predictions = model.predict(X_test, verbose=0)


def mean_squared_error(y_true, y_pred):
    return np.average((np.asarray(y_true) - np.asarray(y_pred)) ** 2)


X_tf = tf.convert_to_tensor(X_test, dtype=tf.float32)
with tf.GradientTape() as tape:
    tape.watch(X_tf)
    lossFunction = mean_squared_error(X_tf, predictions)
gradientFunction = tape.gradient(lossFunction, X_tf)
signed_grad = tf.sign(gradientFunction)
perturbed_data = X_test + 0.2 * signed_grad
