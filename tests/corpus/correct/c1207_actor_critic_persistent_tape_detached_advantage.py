# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on reinforcement-learning usage (advantage actor-critic)
# One persistent tape for both losses, the advantage detached with tf.stop_gradient for the actor loss only:
# the actor and the critic both get gradients.
import numpy as np
import tensorflow as tf

actor = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(32, activation="relu"),
                             tf.keras.layers.Dense(2)])
critic = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(32, activation="relu"),
                              tf.keras.layers.Dense(1)])
a_opt, c_opt = tf.keras.optimizers.Adam(1e-3), tf.keras.optimizers.Adam(1e-3)
for ep in range(3):
    s = np.random.randn(16, 4).astype("float32")
    a = np.random.randint(0, 2, 16)
    ret = np.random.randn(16, 1).astype("float32")
    with tf.GradientTape(persistent=True) as tape:
        v = critic(s)
        adv = tf.stop_gradient(ret - v)
        logp = tf.gather(tf.nn.log_softmax(actor(s)), a, axis=1, batch_dims=1)
        actor_loss = -tf.reduce_mean(logp * tf.squeeze(adv, 1))
        critic_loss = tf.reduce_mean(tf.square(ret - v))
    ag = tape.gradient(actor_loss, actor.trainable_variables)
    cg = tape.gradient(critic_loss, critic.trainable_variables)
    del tape
    a_opt.apply_gradients(zip(ag, actor.trainable_variables))
    c_opt.apply_gradients(zip(cg, critic.trainable_variables))
    print(ep, float(actor_loss), float(critic_loss))
RESULT = gradient_status(ag + cg)
