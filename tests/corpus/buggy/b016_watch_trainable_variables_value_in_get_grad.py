# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG016@26
# source: https://github.com/keras-team/keras/issues/20274
# A PINN-style loop: get_grad watches the model's trainable variables on a persistent tape. After reading
# keras-team/keras#19155 the reporter added `.value`, but model.trainable_variables is a Python list:
# AttributeError: 'list' object has no attribute 'value' (without it, Keras 3 raises ValueError in watch).
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
        # This tape is for derivatives with respect to trainable variables
        tape.watch(model.trainable_variables.value)
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
