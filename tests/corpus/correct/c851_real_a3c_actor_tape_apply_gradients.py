# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/27568 (corrected: tape + apply_gradients)
import numpy as np
import tensorflow as tf
import tensorflow.keras.backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model
from tensorflow.keras.optimizers import RMSprop


class Actor:
    def __init__(self, inp_dim, out_dim, lr):
        inp = Input((inp_dim,))
        x = Dense(32, activation="relu")(inp)
        self.model = Model(inp, Dense(out_dim, activation="softmax")(x))
        self.rms_optimizer = RMSprop(learning_rate=lr, epsilon=0.1, rho=0.99)

    def train(self, states, actions, advantages):
        with tf.GradientTape() as tape:
            probs = self.model(states)
            weighted_actions = K.sum(actions * probs, axis=1)
            eligibility = K.log(weighted_actions + 1e-10) * advantages
            loss = 0.001 * K.sum(probs * K.log(probs + 1e-10)) - K.sum(eligibility)
        grads = tape.gradient(loss, self.model.trainable_weights)
        assert all(g is not None for g in grads)
        self.rms_optimizer.apply_gradients(zip(grads, self.model.trainable_weights))
        return grads


actor = Actor(4, 2, 1e-3)
before = [w.numpy().copy() for w in actor.model.trainable_weights]
states = tf.constant(np.random.rand(8, 4), tf.float32)
actions = tf.one_hot(np.random.randint(0, 2, 8), 2)
adv = tf.constant(np.random.rand(8), tf.float32)
grads = actor.train(states, actions, adv)
assert any(not np.allclose(b, w.numpy()) for b, w in zip(before, actor.model.trainable_weights))
print("trained")
RESULT = gradient_status(grads)
