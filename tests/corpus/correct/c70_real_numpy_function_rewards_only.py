# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/47288
# corrected: the model runs under the tape; NumPy (through tf.numpy_function) only produces the rewards.
import numpy as np
import tensorflow as tf


class Agent:
    def __init__(self):
        tf.keras.utils.set_random_seed(0)
        self.model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        self.optimizer = tf.keras.optimizers.Adam(1e-3)
        self.states = np.random.randn(8, 4).astype("float32")

    def np_rewards(self):
        return np.ones((8,), dtype="float32")

    def train_step(self):
        with tf.GradientTape() as tape:
            rewards = tf.numpy_function(self.np_rewards, [], tf.float32)
            actor_logits = self.model(self.states)
            action_probs = tf.nn.softmax(actor_logits)
            loss = -tf.reduce_mean(tf.math.log(action_probs[:, 0]) * rewards)
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))
        return grads


RESULT = gradient_status(Agent().train_step())
