# gradls-fixture: tf-verdict=raises:OperatorNotAllowedInGraphError
# gradls-expect: TFG003@12
# A loss function passed to compile() branches with Python `if` on a tensor.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


def adaptive_loss(y_true, y_pred):
    err = tf.abs(y_true - y_pred)
    if tf.reduce_mean(err) > 1.0:  # BUG
        return tf.reduce_mean(err, axis=-1)
    return tf.reduce_mean(tf.square(err), axis=-1)


model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss=adaptive_loss)
model.fit(tf.random.normal((8, 3)), tf.random.normal((8, 1)), epochs=1, verbose=0)
RESULT = ["ok"]
