# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/20274 (corrected)
# No watch call: the tape records every trainable variable the model reads.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(20, activation="tanh"), keras.layers.Dense(1)])
optim = keras.optimizers.Adam(1e-3)
X_train = tf.constant(np.random.rand(64, 2).astype("float32"))
data_train = tf.constant(np.random.rand(64, 1).astype("float32"))


def compute_loss(model, X_train, data_train):
    return tf.reduce_mean(tf.square(model(X_train) - data_train))


def get_grad(model, X_train, data_train):
    with tf.GradientTape(persistent=True) as tape:
        loss = compute_loss(model, X_train, data_train)
    g = tape.gradient(loss, model.trainable_variables)
    del tape
    return loss, g


@tf.function
def train_step():
    loss, grad_theta = get_grad(model, X_train, data_train)
    optim.apply_gradients(zip(grad_theta, model.trainable_variables))
    return loss, grad_theta


loss, grads = train_step()
RESULT = gradient_status(grads)
