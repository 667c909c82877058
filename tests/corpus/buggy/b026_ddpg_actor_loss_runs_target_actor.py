# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG026@52
# source: modelled on reinforcement-learning usage (the keras.io DDPG example's update step)
# The actor update calls target_actor (made by the same get_actor() factory, weights copied) instead of actor_model
# inside the tape: every actor gradient is None and Adam raises `No gradients provided for any variable` (TF 2.21).
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers

state_dim, action_dim = 3, 1


def get_actor():
    inp = layers.Input(shape=(state_dim,))
    x = layers.Dense(64, activation="relu")(inp)
    out = layers.Dense(action_dim, activation="tanh")(x)
    return tf.keras.Model(inp, out)


def get_critic():
    s = layers.Input(shape=(state_dim,))
    a = layers.Input(shape=(action_dim,))
    x = layers.Concatenate()([s, a])
    x = layers.Dense(64, activation="relu")(x)
    return tf.keras.Model([s, a], layers.Dense(1)(x))


actor_model = get_actor()
critic_model = get_critic()
target_actor = get_actor()
target_critic = get_critic()
target_actor.set_weights(actor_model.get_weights())
target_critic.set_weights(critic_model.get_weights())
critic_optimizer = tf.keras.optimizers.Adam(2e-3)
actor_optimizer = tf.keras.optimizers.Adam(1e-3)
gamma = 0.99


def update(state_batch, action_batch, reward_batch, next_state_batch):
    with tf.GradientTape() as tape:
        target_actions = target_actor(next_state_batch, training=True)
        y = reward_batch + gamma * target_critic([next_state_batch, target_actions], training=True)
        critic_value = critic_model([state_batch, action_batch], training=True)
        critic_loss = tf.reduce_mean(tf.square(y - critic_value))
    critic_grad = tape.gradient(critic_loss, critic_model.trainable_variables)
    critic_optimizer.apply_gradients(zip(critic_grad, critic_model.trainable_variables))

    with tf.GradientTape() as tape:
        actions = target_actor(state_batch, training=True)
        critic_value = critic_model([state_batch, actions], training=True)
        actor_loss = -tf.reduce_mean(critic_value)
    actor_grad = tape.gradient(actor_loss, actor_model.trainable_variables)
    actor_optimizer.apply_gradients(zip(actor_grad, actor_model.trainable_variables))


for ep in range(3):
    s = np.random.randn(64, state_dim).astype("float32")
    a = np.random.uniform(-1, 1, (64, action_dim)).astype("float32")
    r = np.random.randn(64, 1).astype("float32")
    s2 = np.random.randn(64, state_dim).astype("float32")
    update(tf.convert_to_tensor(s), tf.convert_to_tensor(a), tf.convert_to_tensor(r), tf.convert_to_tensor(s2))
    print("episode", ep)
