# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG014@18
# Multi-task learning with homoscedastic uncertainty weighting (Kendall et al.): the per-task log-variances
# are raw tf.Variables on the model, so Keras 3 leaves them out of trainable_variables and fit() never moves them.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class MultiTaskNet(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.trunk = keras.layers.Dense(32, activation="relu")
        self.reg_head = keras.layers.Dense(1)
        self.cls_head = keras.layers.Dense(3)
        self.log_vars = tf.Variable(tf.zeros(2), name="task_log_vars")  # BUG
        self.ce = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def call(self, x):
        h = self.trunk(x)
        return self.reg_head(h), self.cls_head(h)

    def train_step(self, data):
        x, (y_reg, y_cls) = data
        with tf.GradientTape() as tape:
            pred_reg, logits = self(x, training=True)
            mse = tf.reduce_mean(tf.square(pred_reg - y_reg))
            ce = self.ce(y_cls, logits)
            task_losses = tf.stack([mse, ce])
            loss = tf.reduce_sum(tf.exp(-self.log_vars) * task_losses + self.log_vars)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        return {"loss": loss}


model = MultiTaskNet()
model.compile(optimizer=keras.optimizers.Adam(1e-2))
x = np.random.randn(64, 8).astype("float32")
y_reg = np.random.randn(64, 1).astype("float32")
y_cls = np.random.randint(0, 3, size=(64,))
before = model.log_vars.numpy()
model.fit(x, (y_reg, y_cls), epochs=2, batch_size=32, verbose=0)
RESULT = gradient_status([model.log_vars.numpy() - before])
