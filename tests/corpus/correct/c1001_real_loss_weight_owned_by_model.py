# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/12503 (corrected: the weight is the model's, made once with
# add_weight, and the model adds the weighted loss itself)
import numpy as np
import tensorflow as tf


class WeightedRegressor(tf.keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(1)
        self.alpha = self.add_weight(name="alpha", shape=(), initializer="ones")

    def call(self, x):
        return self.dense(x)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        return tf.reduce_mean(tf.square(y - y_pred)) * tf.nn.softplus(self.alpha)


model = WeightedRegressor()
model.compile(optimizer="sgd")
x = np.random.rand(32, 3).astype("float32")
y = np.random.rand(32, 1).astype("float32")
model.fit(x, y, epochs=2, verbose=0)
assert float(model.alpha.numpy()) != 1.0
xt = tf.constant(x)
with tf.GradientTape() as tape:
    loss = model.compute_loss(y=tf.constant(y), y_pred=model(xt))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
