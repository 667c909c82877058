# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG026@24
# An actor-critic update where the actor loss is computed from the critic's value of the stored states only:
# the actor never runs on the way to the loss, so every actor gradient is None.
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
actor = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)])
critic = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
actor_opt = keras.optimizers.Adam(1e-3)
critic_opt = keras.optimizers.Adam(1e-3)
states = tf.random.normal((16, 4))
returns = tf.random.normal((16, 1))

with tf.GradientTape() as critic_tape:
    critic_loss = tf.reduce_mean(tf.square(returns - critic(states)))
critic_opt.apply_gradients(
    zip(critic_tape.gradient(critic_loss, critic.trainable_variables), critic.trainable_variables)
)
with tf.GradientTape() as actor_tape:
    values = critic(states)
    actor_loss = -tf.reduce_mean(values)
actor_grads = actor_tape.gradient(actor_loss, actor.trainable_variables)  # BUG
actor_opt.apply_gradients(zip(actor_grads, actor.trainable_variables))
