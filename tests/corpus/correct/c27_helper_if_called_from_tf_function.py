# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A plain helper with Python control flow on tensors, called from a @tf.function (AutoGraph converts it).
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
optimizer = keras.optimizers.Adam(1e-3)


def robust_loss(y, pred):
    err = tf.abs(y - pred)
    if tf.reduce_mean(err) > 2.0:
        return tf.reduce_mean(tf.math.log1p(err))
    return tf.reduce_mean(tf.square(err))


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = robust_loss(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return grads


RESULT = gradient_status(train_step(tf.random.normal((8, 3)), tf.random.normal((8, 1))))
