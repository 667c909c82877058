# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG035@27
# source: https://github.com/tensorflow/addons/issues/495
# Moving tf.contrib.opt.AdamWOptimizer code to TF 2: the joint loss tensor is handed to AdamW(...).minimize(
# self.joint_loss, var_list=var_list). tfa is not installed: Keras 3's AdamW stands in for tfa.optimizers.AdamW
# (both are Keras optimizers), and the variables are the model's (the post's tf.compat.v1.trainable_variables()
# is empty in eager code).
import numpy as np
import tensorflow as tf


class JointModel:
    def __init__(self, learn_rate, lmbda):
        self.learn_rate = learn_rate
        self.lmbda = lmbda
        self.net = tf.keras.Sequential(
            [tf.keras.Input((5,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(3)]
        )

    def build_loss(self, x, y):
        cost_list = tf.square(self.net(x) - y)
        self.joint_loss = tf.reduce_mean(input_tensor=tf.reduce_sum(input_tensor=cost_list, axis=1))

    def build_train_step(self):
        optim = tf.keras.optimizers.AdamW(learning_rate=self.learn_rate, weight_decay=self.lmbda)
        var_list = self.net.trainable_variables
        self.train_step = optim.minimize(self.joint_loss, var_list=var_list)


m = JointModel(1e-3, 1e-4)
m.build_loss(tf.constant(np.random.rand(8, 5), tf.float32), tf.constant(np.random.rand(8, 3), tf.float32))
m.build_train_step()
