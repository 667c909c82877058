# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG002@26
# source: https://github.com/MorvanZhou/Reinforcement-learning-with-tensorflow/issues/144
# DDPG rewritten with tf.keras: the actor's loss is the Q value from critic.predict(), a NumPy array computed
# outside the tape, so the actor gets no gradient: No gradients provided for any variable.
import numpy as np
import tensorflow as tf
from tensorflow import keras

S_DIM, A_DIM = 3, 1

s_in = keras.Input((S_DIM,))
actor = keras.Model(s_in, keras.layers.Dense(A_DIM, activation="tanh")(keras.layers.Dense(30, activation="relu")(s_in)))

cs = keras.Input((S_DIM,))
ca = keras.Input((A_DIM,))
h = keras.layers.Dense(30, activation="relu")(keras.layers.Concatenate()([cs, ca]))
critic = keras.Model([cs, ca], keras.layers.Dense(1)(h))

a_opt = keras.optimizers.Adam(1e-3)


def learn_actor(bs):
    with tf.GradientTape() as tape:
        a = actor(bs)
        q = critic.predict([bs, a], verbose=0)
        a_loss = -tf.reduce_mean(q)
    grads = tape.gradient(a_loss, actor.trainable_variables)
    a_opt.apply_gradients(zip(grads, actor.trainable_variables))


bs = np.random.rand(32, S_DIM).astype("float32")
learn_actor(bs)
