# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/20894 (corrected)
# Keras 3: scale the loss with optimizer.scale_loss; apply_gradients unscales the gradients itself.
import tensorflow as tf
from tensorflow import keras

keras.mixed_precision.set_global_policy("mixed_float16")
model = keras.Sequential([keras.layers.Dense(4), keras.layers.Activation("linear", dtype="float32")])
optimizer = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.Adam())
loss_object = keras.losses.MeanSquaredError()
x = tf.random.normal((8, 3))
y = tf.random.normal((8, 4))


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        predictions = model(x)
        loss = loss_object(y, predictions)
        scaled_loss = optimizer.scale_loss(loss)
    scaled_gradients = tape.gradient(scaled_loss, model.trainable_variables)
    optimizer.apply_gradients(zip(scaled_gradients, model.trainable_variables))
    return scaled_gradients


RESULT = gradient_status(train_step(x, y))
