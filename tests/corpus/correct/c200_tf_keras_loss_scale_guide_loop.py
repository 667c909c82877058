# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/20894 (corrected: run with Keras 2)
# The TF mixed precision guide's custom loop with tf_keras (Keras 2), whose LossScaleOptimizer has
# get_scaled_loss and get_unscaled_gradients: it trains.
import tensorflow as tf
import tf_keras

tf_keras.mixed_precision.set_global_policy("mixed_float16")
model = tf_keras.Sequential([tf_keras.layers.Dense(4), tf_keras.layers.Activation("linear", dtype="float32")])
optimizer = tf_keras.mixed_precision.LossScaleOptimizer(tf_keras.optimizers.Adam())
loss_object = tf_keras.losses.MeanSquaredError()
x = tf.random.normal((8, 3))
y = tf.random.normal((8, 4))


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        predictions = model(x)
        loss = loss_object(y, predictions)
        scaled_loss = optimizer.get_scaled_loss(loss)
    scaled_gradients = tape.gradient(scaled_loss, model.trainable_variables)
    gradients = optimizer.get_unscaled_gradients(scaled_gradients)
    optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return gradients


RESULT = gradient_status(train_step(x, y))
tf_keras.mixed_precision.set_global_policy("float32")
