# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: realistic program, 2026-12-07 session 4 (b014_model_holds_plain_object_with_dict_of_layers's near-miss)
import numpy as np
import tensorflow as tf
import keras


class MLP:
    def __init__(self, sizes):
        self.hidden = [keras.layers.Dense(s, activation="relu") for s in sizes]

    def __call__(self, x):
        for layer in self.hidden:
            x = layer(x)
        return x


class Critic(keras.Model):
    def __init__(self):
        super().__init__()
        self.mlp = MLP([8, 8])
        self.hidden_layers = self.mlp.hidden
        self.out = keras.layers.Dense(1)

    def call(self, x):
        return self.out(self.mlp(x))


critic = Critic()
x = np.random.rand(4, 3).astype("float32")
with tf.GradientTape() as tape:
    loss = tf.reduce_mean(tf.square(critic(x)))
RESULT = gradient_status(tape.gradient(loss, critic.trainable_variables))
