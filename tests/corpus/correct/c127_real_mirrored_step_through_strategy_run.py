# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/36392 (corrected)
# The step runs per replica through strategy.run inside a tf.function, as the custom-training-loop guide does.
import numpy as np
import tensorflow as tf
import keras

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
    optimizer = keras.optimizers.Adam(1e-3)


def train_step(x, y):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return grads


@tf.function
def distributed_train_step(x, y):
    return strategy.run(train_step, args=(x, y))


x = np.random.RandomState(0).rand(8, 4).astype("float32")
y = np.random.RandomState(1).rand(8, 1).astype("float32")
grads = distributed_train_step(x, y)
RESULT = gradient_status(grads)
