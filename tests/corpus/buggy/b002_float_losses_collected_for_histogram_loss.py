# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG002@22
# source: https://github.com/tensorflow/tensorflow/issues/30190
# Per-sample losses collected with float(loss) for a histogram-distance loss: the tape loses the model.
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(10, activation="relu"), tf.keras.layers.Dense(3)])
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def get_distance_between_samples_and_distribution(losses, if_plot=0):
    return np.mean(np.square(np.sort(losses) - np.linspace(-1.0, 1.0, len(losses))))


def loss(model, x, y):
    y_ = model(x)
    losses = []
    for i in range(y.shape[0]):
        loss = loss_object(y_true=y[i], y_pred=y_[i])
        losses.append(float(loss))
    dis = get_distance_between_samples_and_distribution(losses, if_plot=0)
    return tf.convert_to_tensor(dis, dtype=np.float32)


def grad(model, inputs, targets):
    with tf.GradientTape() as tape:
        loss_value = loss(model, inputs, targets)
    return loss_value, tape.gradient(loss_value, model.trainable_variables)


features = tf.random.normal((8, 4))
labels = tf.constant([0, 1, 2, 0, 1, 2, 0, 1])
loss_value, grads = grad(model, features, labels)
RESULT = gradient_status(grads)
