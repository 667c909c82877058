# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Projected gradient descent adversarial attack: the perturbation is a tf.Variable (watched automatically).
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3)])
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

x = tf.random.normal((4, 6))
y = tf.constant([0, 1, 2, 1])
epsilon, alpha = 0.1, 0.02
delta = tf.Variable(tf.zeros_like(x))

for _ in range(3):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x + delta))
    grad = tape.gradient(loss, delta)
    delta.assign_add(alpha * tf.sign(grad))
    delta.assign(tf.clip_by_value(delta, -epsilon, epsilon))

with tf.GradientTape() as tape:
    adv_loss = loss_fn(y, model(x + delta))
grads = tape.gradient(adv_loss, [delta] + model.trainable_variables)
RESULT = gradient_status(grads)
