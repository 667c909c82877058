# gradls-fixture: tf-verdict=ok
# gradls-expect:
# tf.numpy_function where it belongs: NumPy/SciPy-style preprocessing in the tf.data pipeline, and a NumPy
# metric on the predictions computed outside the loss; the training loss itself is pure TensorFlow.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def _np_clip_outliers(features, target):
    lo, hi = np.percentile(target, [5, 95])
    return features, np.clip(target, lo, hi).astype(np.float32)


def clip_outliers(features, target):
    features, target = tf.numpy_function(_np_clip_outliers, [features, target], [tf.float32, tf.float32])
    features.set_shape([None, 6])
    target.set_shape([None, 1])
    return features, target


def _np_median_abs_error(y_true, y_pred):
    return np.median(np.abs(y_true - y_pred)).astype(np.float32)


x = np.random.randn(64, 6).astype("float32")
y = (x @ np.random.randn(6, 1) + 0.1 * np.random.standard_cauchy((64, 1))).astype("float32")
dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32).map(clip_outliers)

model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
optimizer = keras.optimizers.Adam(1e-3)
huber = keras.losses.Huber(delta=1.0)

medae_log = []
for x_batch, y_batch in dataset:
    with tf.GradientTape() as tape:
        pred = model(x_batch, training=True)
        loss = huber(y_batch, pred)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    medae = tf.numpy_function(_np_median_abs_error, [y_batch, pred], tf.float32)
    medae_log.append(float(medae))

RESULT = gradient_status(grads)
