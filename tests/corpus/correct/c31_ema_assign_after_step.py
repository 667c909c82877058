# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Exponential moving average of the weights, assigned after the tape (not inside it).
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
ema_weights = [tf.Variable(v, trainable=False) for v in model.trainable_variables]
optimizer = keras.optimizers.SGD(0.05)
x, y = tf.random.normal((8, 3)), tf.random.normal((8, 1))

for _ in range(2):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    for ema, v in zip(ema_weights, model.trainable_variables):
        ema.assign(0.9 * ema + 0.1 * v)
RESULT = gradient_status(grads)
