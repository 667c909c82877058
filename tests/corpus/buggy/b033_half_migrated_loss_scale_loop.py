# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG033@25
# source: https://github.com/keras-team/keras/issues/20894 (the TF mixed precision guide's custom loop, half moved to
# Keras 3): the loss is scaled with Keras 3's scale_loss, but the gradients still go through the tf.keras 2
# get_unscaled_gradients, which Keras 3's LossScaleOptimizer does not have: TensorFlow raises
# AttributeError: 'LossScaleOptimizer' object has no attribute 'get_unscaled_gradients'.
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
    gradients = optimizer.get_unscaled_gradients(scaled_gradients)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return scaled_gradients


RESULT = gradient_status(train_step(x, y))
