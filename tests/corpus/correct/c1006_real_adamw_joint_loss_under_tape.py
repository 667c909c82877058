# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/addons/issues/495 (corrected: the joint loss is computed under a
# GradientTape and AdamW applies its gradients)
import numpy as np
import tensorflow as tf


class JointModel:
    def __init__(self, learn_rate, lmbda):
        self.net = tf.keras.Sequential(
            [tf.keras.Input((5,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)]
        )
        self.optim = tf.keras.optimizers.AdamW(learning_rate=learn_rate, weight_decay=lmbda)

    def train_step(self, x, y):
        with tf.GradientTape() as tape:
            cost_list = tf.square(self.net(x) - y)
            joint_loss = tf.reduce_mean(tf.reduce_sum(cost_list, axis=1))
        var_list = self.net.trainable_variables
        grads = tape.gradient(joint_loss, var_list)
        self.optim.apply_gradients(zip(grads, var_list))
        return grads


m = JointModel(1e-3, 1e-4)
RESULT = gradient_status(m.train_step(tf.constant(np.random.rand(8, 5), tf.float32), tf.constant(np.random.rand(8, 3), tf.float32)))
