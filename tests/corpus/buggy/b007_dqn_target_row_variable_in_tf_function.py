# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG007@26
# source: https://github.com/tensorflow/tensorflow/issues/40631
# DQN update in a tf.function: each sample's target row is copied into a tf.Variable so that the taken action's
# entry can be assigned the bootstrapped value, inside the GradientTape.
import numpy as np
import tensorflow as tf

keras = tf.keras
keras.utils.set_random_seed(0)
n_actions = 3
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(n_actions)])
optimizer = keras.optimizers.Adam(1e-3)
gamma = 0.9


@tf.function
def train(states, actions, rewards, newStates):
    X = tf.TensorArray(tf.float32, size=0, dynamic_size=True, clear_after_read=False)
    Y = tf.TensorArray(tf.float32, size=0, dynamic_size=True, clear_after_read=False)
    with tf.GradientTape() as tape:
        Q = model(states)
        QNext = model(newStates)
        for i in range(len(states)):
            state, action, reward = states[i], actions[i], rewards[i]
            target = tf.Variable(Q[i], name="temp")
            nextQ = QNext[i][tf.math.argmax(QNext[i])]
            newVal = reward + gamma * nextQ
            target[action].assign(newVal)
            X = X.write(i, state)
            Y = Y.write(i, target)
        loss = tf.reduce_mean(tf.square(Y.stack() - Q))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return grads


states = tf.constant(np.random.rand(4, 4), tf.float32)
newStates = tf.constant(np.random.rand(4, 4), tf.float32)
actions = tf.constant([0, 1, 2, 1])
rewards = tf.constant([1.0, 0.0, 1.0, 0.5])
RESULT = gradient_status(train(states, actions, rewards, newStates))
