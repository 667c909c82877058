# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG038@21
# source: https://github.com/keras-team/keras/issues/6175 ("get_updates in a custom optimizer class")
# The optimizer researcher wants the gradient "at a new tensor, with all the values the same": besides the gradients
# for the parameters it asks for them at tf.Variable copies of the parameters, and gets a list of Nones. Keras 3 has
# no get_updates / get_gradients, so the step is a GradientTape step over the model's parameters.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh"), keras.layers.Dense(1)])
optimizer = keras.optimizers.SGD(0.01)
x = np.random.rand(32, 4).astype("float32")
y = np.random.rand(32, 1).astype("float32")

params = model.trainable_variables
with tf.GradientTape(persistent=True) as tape:
    loss = tf.reduce_mean(tf.square(y - model(x)))
grads = tape.gradient(loss, params)
gradsb = tape.gradient(loss, [tf.Variable(a) for a in params])
for a in gradsb:
    print(a)
optimizer.apply_gradients(zip(grads, params))
RESULT = gradient_status(gradsb)
