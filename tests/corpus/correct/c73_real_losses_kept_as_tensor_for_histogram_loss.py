# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/30190
# corrected: the per-sample losses stay a tensor and the distance is computed with TF ops.
import numpy as np
import tensorflow as tf

tf.keras.utils.set_random_seed(0)
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(10, activation="relu"), tf.keras.layers.Dense(3)])
loss_object = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")


def get_distance_between_samples_and_distribution(losses, if_plot=0):
    n = losses.shape[0]
    return tf.reduce_mean(tf.square(tf.sort(losses) - tf.linspace(-1.0, 1.0, n)))


def loss(model, x, y):
    y_ = model(x)
    losses = loss_object(y_true=y, y_pred=y_)
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
