# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG015@33
# source: https://github.com/ChintanTrivedi/rl-bot-football/issues/2
# The PPO actor of rl-bot-football's train.py (read from the stored repository): old policy probabilities,
# advantages, rewards and values are `Input` layers of the actor model, and the compiled loss closes over them.
# Keras 3 calls the loss on real batches with those still KerasTensors: ValueError: A KerasTensor cannot be used
# as input to a TensorFlow function (the reporter: `Eager execution function cannot be Keras symbolic tensors`).
# The `K.*` calls are written with `tf.*` (Keras 3's backend has none of them); the loss terms sit in a helper.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model
from tensorflow.keras.optimizers import Adam

clipping_val = 0.2
critic_discount = 0.5
entropy_beta = 0.001
n_actions = 4


def ppo_terms(newpolicy_probs, oldpolicy_probs, advantages, rewards, values):
    ratio = tf.exp(tf.math.log(newpolicy_probs + 1e-10) - tf.math.log(oldpolicy_probs + 1e-10))
    p1 = ratio * advantages
    p2 = tf.clip_by_value(ratio, 1 - clipping_val, 1 + clipping_val) * advantages
    actor_loss = -tf.reduce_mean(tf.minimum(p1, p2))
    critic_loss = tf.reduce_mean(tf.square(rewards - values))
    entropy = tf.reduce_mean(-(newpolicy_probs * tf.math.log(newpolicy_probs + 1e-10)))
    return critic_discount * critic_loss + actor_loss - entropy_beta * entropy


def ppo_loss(oldpolicy_probs, advantages, rewards, values):
    def loss(y_true, y_pred):
        return ppo_terms(y_pred, oldpolicy_probs, advantages, rewards, values)

    return loss


def get_model_actor_simple(input_dims, output_dims):
    state_input = Input(shape=input_dims)
    oldpolicy_probs = Input(shape=(1, output_dims))
    advantages = Input(shape=(1, 1))
    rewards = Input(shape=(1, 1))
    values = Input(shape=(1, 1))
    x = Dense(32, activation="relu", name="fc1")(state_input)
    x = Dense(16, activation="relu", name="fc2")(x)
    out_actions = Dense(n_actions, activation="softmax", name="predictions")(x)
    model = Model(inputs=[state_input, oldpolicy_probs, advantages, rewards, values], outputs=[out_actions])
    model.compile(
        optimizer=Adam(learning_rate=1e-4),
        loss=[ppo_loss(oldpolicy_probs=oldpolicy_probs, advantages=advantages, rewards=rewards, values=values)],
    )
    return model


model_actor = get_model_actor_simple(input_dims=(8,), output_dims=n_actions)
steps = 16
states = np.random.rand(steps, 8).astype("float32")
actions_probs = np.random.dirichlet(np.ones(n_actions), steps).reshape(steps, 1, n_actions).astype("float32")
advantages = np.random.randn(steps, 1, 1).astype("float32")
rewards = np.random.rand(steps, 1, 1).astype("float32")
values = np.random.rand(steps, 1, 1).astype("float32")
actions_onehot = np.eye(n_actions, dtype="float32")[np.random.randint(0, n_actions, steps)]
before = [w.numpy().copy() for w in model_actor.trainable_weights]
model_actor.fit([states, actions_probs, advantages, rewards, values], [actions_onehot], verbose=0, epochs=1)
RESULT = ["zero" if np.array_equal(b, w.numpy()) else "ok" for b, w in zip(before, model_actor.trainable_weights)]
