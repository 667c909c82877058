# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on Keras 3 custom Model.compute_loss usage
# The metric result added to the loss carries no gradient, but the MSE term reads y_pred: every weight trains.
import numpy as np
import tensorflow as tf
from tensorflow import keras


class WeightedModel(keras.Model):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.hidden = keras.layers.Dense(32, activation="relu")
        self.out = keras.layers.Dense(1)
        self.mae = keras.metrics.MeanAbsoluteError(name="mae")

    def call(self, x):
        return self.out(self.hidden(x))

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        self.mae.update_state(y, y_pred)
        mse = tf.reduce_mean(tf.square(y - y_pred))
        return mse + 0.1 * self.mae.result()


x = np.random.randn(512, 8).astype("float32")
y = x.sum(axis=1, keepdims=True)
model = WeightedModel()
model.compile(optimizer=keras.optimizers.Adam(1e-2))
model(x[:1])
before = [w.numpy().copy() for w in model.trainable_variables]
hist = model.fit(x, y, epochs=3, batch_size=64, verbose=0)
print(hist.history["loss"])
RESULT = gradient_status([w.numpy() - b for w, b in zip(model.trainable_variables, before)])
