# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/6175 (corrected, as the Stack Overflow answer says: the second
# point must be where the loss is computed: copy the weights into a clone of the model and run the clone on the tape)
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
probe = keras.models.clone_model(model)
optimizer = keras.optimizers.SGD(0.01)
x = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")

params = model.trainable_variables
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(y - model(x)))
grads = tape.gradient(loss, params)
probe.set_weights(model.get_weights())
with tf.GradientTape() as tape_b:
    loss_b = tf.reduce_mean(tf.square(y - probe(x)))
gradsb = tape_b.gradient(loss_b, probe.trainable_variables)
optimizer.apply_gradients(zip(grads, params))
RESULT = gradient_status(gradsb)
