# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG011@15
# The loss is computed after the `with` block: the tape never saw it, the optimizer gets only None.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
optimizer = keras.optimizers.Adam(1e-3)
x, y = tf.random.normal((8, 4)), tf.random.normal((8, 1))

with tf.GradientTape() as tape:
    pred = model(x, training=True)
loss = tf.reduce_mean(tf.square(pred - y)) + 1e-4 * tf.add_n([tf.nn.l2_loss(v) for v in model.trainable_variables])
grads = tape.gradient(loss, model.trainable_variables)  # BUG
optimizer.apply_gradients(zip(grads, model.trainable_variables))
RESULT = gradient_status(grads)
