# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/43650 (closing over concrete batch tensors)
# The loss factory closes over concrete tensors of the batch, not Input placeholders: fit() trains.
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import backend as K


def ppo_loss(oldpolicy_probs, advantage, reward, value):
    def loss(y_true, y_pred):
        newpolicy_probs = y_pred
        ratio = K.exp(K.log(newpolicy_probs + 1e-10) - K.log(oldpolicy_probs + 1e-10))
        p1 = ratio * advantage
        p2 = K.clip(ratio, min_value=1 - 0.2, max_value=1 + 0.2) * advantage
        actor_loss = -K.mean(K.minimum(p1, p2))
        critic_loss = K.mean(K.square(reward - value))
        return 0.5 * critic_loss + actor_loss

    return loss


keras.utils.set_random_seed(0)
n = 16
oldpolicy_probs = tf.constant(np.random.rand(n, 2) + 0.1, tf.float32)
advantages = tf.constant(np.random.rand(n, 1) + 0.1, tf.float32)
rewards = tf.constant(np.random.rand(n, 1), tf.float32)
values = tf.constant(np.random.rand(n, 1), tf.float32)
state_input = keras.Input(shape=(4,))
x = keras.layers.Dense(16, activation="relu")(state_input)
out_actions = keras.layers.Dense(2, activation="softmax", name="policy")(x)
model = keras.Model(state_input, out_actions)
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=[ppo_loss(oldpolicy_probs, advantages, rewards, values)])
before = [w.numpy().copy() for w in model.trainable_weights]
model.fit(np.random.rand(n, 4), np.eye(2)[np.random.randint(0, 2, n)], batch_size=n, epochs=1, verbose=0)
RESULT = ["ok" if not np.array_equal(b, w.numpy()) else "zero" for b, w in zip(before, model.trainable_weights)]
