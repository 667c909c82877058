# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/ChintanTrivedi/rl-bot-football/issues/2 (corrected: advantages, old probabilities, rewards and values are packed into y_true and sliced in the loss)
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model
from tensorflow.keras.optimizers import Adam

clipping_val = 0.2
critic_discount = 0.5
entropy_beta = 0.001
n_actions = 4


def ppo_loss(y_true, y_pred):
    # y_true packs [one-hot action | old policy probs | advantage | reward | value]
    oldpolicy_probs = y_true[:, n_actions : 2 * n_actions]
    advantages = y_true[:, 2 * n_actions : 2 * n_actions + 1]
    rewards = y_true[:, 2 * n_actions + 1 : 2 * n_actions + 2]
    values = y_true[:, 2 * n_actions + 2 :]
    newpolicy_probs = y_pred
    ratio = tf.exp(tf.math.log(newpolicy_probs + 1e-10) - tf.math.log(oldpolicy_probs + 1e-10))
    p1 = ratio * advantages
    p2 = tf.clip_by_value(ratio, 1 - clipping_val, 1 + clipping_val) * advantages
    actor_loss = -tf.reduce_mean(tf.minimum(p1, p2))
    critic_loss = tf.reduce_mean(tf.square(rewards - values))
    total_loss = critic_discount * critic_loss + actor_loss - entropy_beta * tf.reduce_mean(
        -(newpolicy_probs * tf.math.log(newpolicy_probs + 1e-10))
    )
    return total_loss


def get_model_actor_simple(input_dims):
    state_input = Input(shape=input_dims)
    x = Dense(32, activation="relu", name="fc1")(state_input)
    x = Dense(16, activation="relu", name="fc2")(x)
    out_actions = Dense(n_actions, activation="softmax", name="predictions")(x)
    model = Model(inputs=state_input, outputs=out_actions)
    model.compile(optimizer=Adam(learning_rate=1e-4), loss=ppo_loss)
    return model


model_actor = get_model_actor_simple(input_dims=(8,))
steps = 16
states = np.random.rand(steps, 8).astype("float32")
actions_probs = np.random.dirichlet(np.ones(n_actions), steps).astype("float32")
advantages = np.random.randn(steps, 1).astype("float32")
rewards = np.random.rand(steps, 1).astype("float32")
values = np.random.rand(steps, 1).astype("float32")
actions_onehot = np.eye(n_actions, dtype="float32")[np.random.randint(0, n_actions, steps)]
y_packed = np.concatenate([actions_onehot, actions_probs, advantages, rewards, values], axis=1)
before = [w.numpy().copy() for w in model_actor.trainable_weights]
model_actor.fit(states, y_packed, verbose=0, epochs=1)
RESULT = ["zero" if np.array_equal(b, w.numpy()) else "ok" for b, w in zip(before, model_actor.trainable_weights)]
