# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG026@29
# DQN step whose Q-values come from the target network (both made by one factory): None for every Q-network weight.
import numpy as np
import tensorflow as tf
import keras


def make_q():
    return keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(2)])


q_net = make_q()
target_net = make_q()
target_net.set_weights(q_net.get_weights())
opt = keras.optimizers.Adam(1e-3)
s = np.random.rand(8, 4).astype("float32")
a = np.random.randint(0, 2, size=(8,))
r = np.random.rand(8).astype("float32")
s2 = np.random.rand(8, 4).astype("float32")
done = np.zeros(8, "float32")

next_q = tf.reduce_max(target_net(s2), axis=1)
target = r + 0.99 * (1.0 - done) * next_q
with tf.GradientTape() as tape:
    q_all = target_net(s)
    q = tf.reduce_sum(q_all * tf.one_hot(a, 2), axis=1)
    loss = tf.reduce_mean(tf.square(target - q))
grads = tape.gradient(loss, q_net.trainable_variables)
RESULT = gradient_status(grads)
