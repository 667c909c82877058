# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@24
# source: https://github.com/tensorflow/tensorflow/issues/27568
# A3C actor from Deep-RL-Keras moved to tf.keras: self.rms_optimizer.get_updates(self.model.trainable_weights, [], loss)
import numpy as np
import tensorflow as tf
import tensorflow.keras.backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model
from tensorflow.keras.optimizers import RMSprop


class Actor:
    def __init__(self, inp_dim, out_dim, lr):
        inp = Input((inp_dim,))
        x = Dense(32, activation="relu")(inp)
        self.model = Model(inp, Dense(out_dim, activation="softmax")(x))
        self.rms_optimizer = RMSprop(learning_rate=lr, epsilon=0.1, rho=0.99)

    def optimizer(self, states, actions, advantages):
        weighted_actions = K.sum(actions * self.model(states), axis=1)
        eligibility = K.log(weighted_actions + 1e-10) * advantages
        loss = 0.001 * K.sum(self.model(states) * K.log(self.model(states) + 1e-10)) - K.sum(eligibility)
        updates = self.rms_optimizer.get_updates(self.model.trainable_weights, [], loss)
        return updates


actor = Actor(4, 2, 1e-3)
states = tf.constant(np.random.rand(8, 4), tf.float32)
actions = tf.one_hot(np.random.randint(0, 2, 8), 2)
adv = tf.constant(np.random.rand(8), tf.float32)
print(actor.optimizer(states, actions, adv))
