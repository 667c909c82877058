# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG029@22
# source: https://github.com/tensorflow/tensorflow/issues/36392
# "`handle` is not available outside the replica context ... due to gradient tape": the model and optimizer are
# made under MirroredStrategy.scope(), but the training step (tape, gradient, apply_gradients) is called
# directly, not through strategy.run. With several GPUs TF 2.1 raised the ValueError of the title; TF 2.21 on one
# CPU replica raises at apply_gradients: "RuntimeError: Need to be inside "with strategy.scope()" for ...".
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
    return loss


x = np.random.RandomState(0).rand(8, 4).astype("float32")
y = np.random.RandomState(1).rand(8, 1).astype("float32")
train_step(x, y)
RESULT = ["ok"]
