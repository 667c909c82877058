# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@34
# source: https://github.com/rlcode/reinforcement-learning/issues/104
# REINFORCE agent of rlcode (1-grid-world) under TF 2: the policy loss -sum(log pi(a|s) * G) is handed to
# Adam(...).get_updates(self.model.trainable_weights, [], loss), the Keras 2 update-op API. The post's placeholders
# (K.placeholder, K.function) are the batch tensors here.
import numpy as np
import tensorflow as tf
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import Adam


class ReinforceAgent:
    def __init__(self):
        self.action_size = 5
        self.state_size = 15
        self.learning_rate = 0.001
        self.model = self.build_model()

    def build_model(self):
        model = Sequential()
        model.add(Dense(24, input_dim=self.state_size, activation="relu"))
        model.add(Dense(24, activation="relu"))
        model.add(Dense(self.action_size, activation="softmax"))
        return model

    def optimizer(self, states, action, discounted_rewards):
        action_prob = K.sum(action * self.model(states), axis=1)
        cross_entropy = K.log(action_prob) * discounted_rewards
        loss = -K.sum(cross_entropy)
        optimizer = Adam(learning_rate=self.learning_rate)
        updates = optimizer.get_updates(self.model.trainable_weights, [], loss)
        return updates


agent = ReinforceAgent()
states = tf.constant(np.random.rand(6, 15), tf.float32)
actions = tf.one_hot(np.random.randint(0, 5, 6), 5)
returns = tf.constant(np.random.rand(6), tf.float32)
agent.optimizer(states, actions, returns)
