# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/30234 (corrected)
# The inner step's weights stay tensors (`w - lr * g`), and the validation forward pass is computed from them, so
# the meta-gradient reaches every weight of the model.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
rng = np.random.RandomState(0)
x_train, y_train = rng.rand(8, 4).astype("float32"), rng.rand(8, 1).astype("float32")
x_val, y_val = rng.rand(8, 4).astype("float32"), rng.rand(8, 1).astype("float32")
lr = 0.01


def forward(weights, x):
    k1, b1, k2, b2 = weights
    return tf.matmul(tf.tanh(tf.matmul(x, k1) + b1), k2) + b2


with tf.GradientTape() as outer_tape:
    with tf.GradientTape() as inner_tape:
        train_loss = tf.reduce_mean(tf.square(model(x_train) - y_train))
    grads = inner_tape.gradient(train_loss, model.trainable_variables)
    fast_weights = [w - lr * g for w, g in zip(model.trainable_variables, grads)]
    val_loss = tf.reduce_mean(tf.square(forward(fast_weights, x_val) - y_val))
meta_grads = outer_tape.gradient(val_loss, model.trainable_variables)
RESULT = gradient_status(meta_grads)
