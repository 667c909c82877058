# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG017@31
# source: https://github.com/tensorflow/tensorflow/issues/26404
# "Returned None values when computing gradients" for a ResNet-style model in eager mode: the gradient is taken
# with respect to model.variables, which includes the BatchNormalization moving mean/variance (not trainable,
# never on the loss path): their gradients are None.
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
grads = tape.gradient(loss, model.variables)
RESULT = gradient_status(grads)
