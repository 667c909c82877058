# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/19874 (corrected)
# No watch: the tape records the trainable variables the model reads.
import numpy as np
import tensorflow as tf
from tensorflow.keras.layers import Dense


class model(tf.keras.Model):
    def __init__(self, layers, train_op, num_epoch):
        super(model, self).__init__()
        self.model_layers = layers
        self.train_op = train_op
        self.num_epoch = num_epoch
        self.bounds = {"lb": 0.0, "ub": 1.0}

    def call(self, r):
        return self.r_val(r)

    def r_val(self, r):
        r = 2.0 * (r - self.bounds["lb"]) / (self.bounds["ub"] - self.bounds["lb"]) - 1.0
        for l in self.model_layers:
            r = l(r)
        return r

    def Stress(self, r):
        return 448.4 * tf.exp(0.1231 * self.r_val(r)) - 0.409 * tf.exp(-6.933 * self.r_val(r))

    def get_loss(self, r, sigma):
        return tf.reduce_mean(tf.square(self.Stress(r) - sigma))

    def get_grad(self, r, sigma):
        with tf.GradientTape(persistent=True) as tape:
            loss = self.get_loss(r, sigma)
        g = tape.gradient(loss, self.trainable_variables)
        del tape
        return loss, g

    def fit_pinn(self, r, sigma):
        for epoch in range(self.num_epoch):
            loss, grad = self.get_grad(r, sigma)
            self.train_op.apply_gradients(zip(grad, self.trainable_variables))
        return loss


layers = [Dense(16, activation="tanh"), Dense(16, activation="tanh"), Dense(1)]
r = np.linspace(0.0, 1.0, 32).reshape(-1, 1)
sigma = 448.0 * np.ones_like(r)
pinn = model(layers, tf.keras.optimizers.Adam(1e-3), 3)
pinn(r)
print(float(pinn.fit_pinn(r, sigma)))
_, g = pinn.get_grad(r, sigma)
RESULT = gradient_status(g)
