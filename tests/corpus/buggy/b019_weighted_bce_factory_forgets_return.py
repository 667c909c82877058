# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG019@15
# Class-weighted binary cross-entropy for an imbalanced dataset, built by a factory.  The inner loss computes
# the value but never returns it: fit() gets None ("None values not supported").
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def weighted_binary_crossentropy(pos_weight):
    pos_weight = tf.constant(pos_weight, tf.float32)

    def loss(y_true, y_pred):
        y_true = tf.cast(y_true, y_pred.dtype)
        y_pred = tf.clip_by_value(y_pred, keras.backend.epsilon(), 1.0 - keras.backend.epsilon())
        per_example = -(pos_weight * y_true * tf.math.log(y_pred) + (1.0 - y_true) * tf.math.log(1.0 - y_pred))
        loss_value = tf.reduce_mean(per_example)

    return loss


x = np.random.randn(128, 10).astype("float32")
y = (np.random.rand(128, 1) < 0.1).astype("float32")  # ~10% positives
neg, pos = np.bincount(y.astype(int).ravel(), minlength=2)

model = keras.Sequential([
    keras.Input((10,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.compile(optimizer="adam", loss=weighted_binary_crossentropy(neg / max(pos, 1)), metrics=["AUC"])
model.fit(x, y, epochs=1, batch_size=32, verbose=0)
RESULT = ["ok"]
