# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG028@43
# source: https://github.com/chiamp/muzero-cartpole/issues/2
# MuZero: one optimizer applies each of the three networks' gradients in turn. It was built for the
# representation network's variables on the first apply_gradients; the dynamics network's variables are
# unknown to it (Keras 3: ValueError: Unknown variable; tf_keras: KeyError 'The optimizer cannot recognize
# variable ... update different parts of the model separately').
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class NetworkModel:
    def __init__(self, state_dim=4, hidden=8, actions=2):
        self.representation_function = keras.Sequential([keras.Input((state_dim,)), keras.layers.Dense(hidden, activation="relu")])
        self.dynamics_function = keras.Sequential([keras.Input((hidden + actions,)), keras.layers.Dense(hidden + 1)])
        self.prediction_function = keras.Sequential([keras.Input((hidden,)), keras.layers.Dense(actions + 1)])


network_model = NetworkModel()
optimizer = keras.optimizers.Adam(1e-3)
obs = np.random.rand(16, 4).astype("float32")
actions = tf.one_hot(np.random.randint(0, 2, size=(16,)), 2)
target_value = np.random.rand(16, 1).astype("float32")
target_reward = np.random.rand(16, 1).astype("float32")


def train(network_model, optimizer):
    with tf.GradientTape(persistent=True) as tape:
        hidden = network_model.representation_function(obs)
        out = network_model.dynamics_function(tf.concat([hidden, actions], axis=1))
        next_hidden, reward = out[:, :-1], out[:, -1:]
        value = network_model.prediction_function(next_hidden)[:, -1:]
        loss = tf.reduce_mean(tf.square(value - target_value)) + tf.reduce_mean(tf.square(reward - target_reward))
    grads = [
        tape.gradient(loss, network_model.representation_function.trainable_variables),
        tape.gradient(loss, network_model.dynamics_function.trainable_variables),
        tape.gradient(loss, network_model.prediction_function.trainable_variables),
    ]
    optimizer.apply_gradients(zip(grads[0], network_model.representation_function.trainable_variables))
    optimizer.apply_gradients(zip(grads[1], network_model.dynamics_function.trainable_variables))
    optimizer.apply_gradients(zip(grads[2], network_model.prediction_function.trainable_variables))
    return grads


grads = train(network_model, optimizer)
RESULT = gradient_status(grads)
