# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG012@30
# source: https://github.com/tensorflow/tensorflow/issues/30234
# "How to calculate gradients for meta learning loop?": the inner MAML step writes `w - lr * g` into a copy of
# the model with assign; assign is not differentiable (TF does not track what was written into a variable), so
# the meta-gradient with respect to the original model's weights is None.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)


def make_model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])


model = make_model()
updated_model = make_model()
rng = np.random.RandomState(0)
x_train, y_train = rng.rand(8, 4).astype("float32"), rng.rand(8, 1).astype("float32")
x_val, y_val = rng.rand(8, 4).astype("float32"), rng.rand(8, 1).astype("float32")
lr = 0.01

with tf.GradientTape() as outer_tape:
    with tf.GradientTape() as inner_tape:
        train_loss = tf.reduce_mean(tf.square(model(x_train) - y_train))
    grads = inner_tape.gradient(train_loss, model.trainable_variables)
    for new_w, w, g in zip(updated_model.trainable_variables, model.trainable_variables, grads):
        new_w.assign(w - lr * g)
    val_loss = tf.reduce_mean(tf.square(updated_model(x_val) - y_val))
meta_grads = outer_tape.gradient(val_loss, model.trainable_variables)
RESULT = gradient_status(meta_grads)
