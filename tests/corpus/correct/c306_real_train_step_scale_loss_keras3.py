# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/keras-team/keras/issues/19479 (corrected)
# The reporter's Keras 3 version: optimizer.scale_loss(loss); apply_gradients unscales the gradients.
import numpy as np
import tensorflow as tf
import keras

keras.utils.set_random_seed(0)
keras.mixed_precision.set_global_policy("mixed_float16")


class Agent(keras.Model):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.network = keras.Sequential([keras.layers.Dense(16, activation="relu"), keras.layers.Dense(1, dtype="float32")])

    def call(self, x):
        return self.network(x)

    def train_step(self, data):
        x, y_true = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)  # Forward pass
            loss = self.loss(y_true, y_pred)
            scaled_loss = self.optimizer.scale_loss(loss)
        trainable_vars = self.network.trainable_variables
        gradients = tape.gradient(scaled_loss, trainable_vars)
        self.optimizer.apply_gradients(zip(gradients, trainable_vars))
        self.last_gradients = gradients
        return {"loss": loss}


model = Agent()
model.compile(optimizer=keras.mixed_precision.LossScaleOptimizer(keras.optimizers.Adam(1e-3)), loss=keras.losses.MeanSquaredError(), run_eagerly=True)
model.fit(np.random.rand(32, 4).astype("float32"), np.random.rand(32, 1).astype("float32"), epochs=1, batch_size=32, verbose=0)
keras.mixed_precision.set_global_policy("float32")
RESULT = gradient_status(model.last_gradients)
