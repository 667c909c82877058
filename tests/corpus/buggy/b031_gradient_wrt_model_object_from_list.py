# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG031@19
# source: https://github.com/keras-team/keras/issues/14287
# The gradient's sources are the Sequential model object itself, not its trainable_variables: TensorFlow raises
# AttributeError: 'Sequential' object has no attribute '_id'.
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
grads = tape.gradient(loss, training_model)
keras.optimizers.RMSprop().apply_gradients(zip(grads, training_model.trainable_variables))
RESULT = gradient_status(grads)
