# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG026@25
# source: https://github.com/tensorflow/tensorflow/issues/47288
import numpy as np
import tensorflow as tf


class Agent:
    def __init__(self):
        tf.keras.utils.set_random_seed(0)
        self.model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
        self.optimizer = tf.keras.optimizers.Adam(1e-3)
        self.states = np.random.randn(8, 4).astype("float32")

    def np_train_step(self):
        actor_logits = self.model(self.states).numpy()
        rewards = np.ones((8,), dtype="float32")
        return rewards, actor_logits

    def train_step(self):
        with tf.GradientTape() as tape:
            rewards, actor_logits = tf.numpy_function(self.np_train_step, [], [tf.float32, tf.float32])
            action_probs = tf.nn.softmax(actor_logits)
            loss = -tf.reduce_mean(tf.math.log(action_probs[:, 0]) * rewards)
        grads = tape.gradient(loss, self.model.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.model.trainable_variables))


Agent().train_step()
