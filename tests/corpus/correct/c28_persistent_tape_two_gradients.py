# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A persistent tape used for two gradient() calls (actor-critic style with a shared trunk).
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)
trunk = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="tanh")])
actor = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)])
critic = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
states = tf.random.normal((6, 4))
advantages = tf.random.normal((6,))
returns = tf.random.normal((6, 1))

with tf.GradientTape(persistent=True) as tape:
    h = trunk(states)
    log_probs = tf.nn.log_softmax(actor(h))[:, 0]
    actor_loss = -tf.reduce_mean(log_probs * advantages)
    critic_loss = tf.reduce_mean(tf.square(returns - critic(h)))
actor_grads = tape.gradient(actor_loss, trunk.trainable_variables + actor.trainable_variables)
critic_grads = tape.gradient(critic_loss, trunk.trainable_variables + critic.trainable_variables)
del tape
RESULT = {"actor": gradient_status(actor_grads), "critic": gradient_status(critic_grads)}
