# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/26404 (the answer: use trainable_variables)
# The fixed shape: gradients with respect to model.trainable_variables, applied by the optimizer.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([
    keras.Input((8, 8, 3)),
    keras.layers.Conv2D(4, 3, padding="same"),
    keras.layers.BatchNormalization(),
    keras.layers.ReLU(),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(2),
])
optimizer = keras.optimizers.SGD(0.01)
x = tf.random.normal((4, 8, 8, 3))
label = tf.random.normal((4, 2))


def compute_loss(prediction, label, operation="L2"):
    return tf.reduce_mean(tf.square(prediction - label))


with tf.GradientTape() as tape:
    prediction = model(x, training=True)
    loss = compute_loss(prediction, label, operation="L2")
grads = tape.gradient(loss, model.trainable_variables)
optimizer.apply_gradients(zip(grads, model.trainable_variables))
RESULT = gradient_status(grads)
