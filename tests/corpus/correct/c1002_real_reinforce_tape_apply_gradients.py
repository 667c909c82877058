# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/rlcode/reinforcement-learning/issues/104 (corrected: the loss is taken under a
# GradientTape and the gradients go to Adam.apply_gradients)
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense
from tensorflow.keras.models import Sequential
from tensorflow.keras.optimizers import Adam


class ReinforceAgent:
    def __init__(self):
        self.model = Sequential([tf.keras.Input((15,)), Dense(24, activation="relu"), Dense(5, activation="softmax")])
        self.optimizer = Adam(learning_rate=0.001)

    def train(self, states, action, discounted_rewards):
        with tf.GradientTape() as tape:
            action_prob = tf.reduce_sum(action * self.model(states), axis=1)
            loss = -tf.reduce_sum(tf.math.log(action_prob) * discounted_rewards)
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
        return grads


agent = ReinforceAgent()
states = tf.constant(np.random.rand(6, 15), tf.float32)
actions = tf.one_hot(np.random.randint(0, 5, 6), 5)
returns = tf.constant(np.random.rand(6), tf.float32)
RESULT = gradient_status(agent.train(states, actions, returns))
