# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/14287 (corrected)
# The reporter's fix: the sources are training_model.trainable_variables.
import numpy as np
import tensorflow as tf
from tensorflow import keras

branch_2_model = [keras.Sequential([keras.layers.Dense(4)]) for _ in range(2)]
state = np.random.RandomState(0).rand(3, 4).astype("float32")
state_ = np.random.RandomState(1).rand(3, 4).astype("float32")
mus_ = branch_2_model[1](state_)
training_model = branch_2_model[0]
with tf.GradientTape() as tape:
    pred = training_model(state)
    label = state + 0.9 * mus_
    loss = tf.reduce_mean(tf.square(label - pred))
grads = tape.gradient(loss, training_model.trainable_variables)
keras.optimizers.RMSprop().apply_gradients(zip(grads, training_model.trainable_variables))
RESULT = gradient_status(grads)
