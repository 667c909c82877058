# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG021@24
# A SimCLR-style encoder whose projection head is created inline in call(); fit() traces call and the new
# Dense creates variables inside the trace.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)


class Encoder(keras.Model):
    def __init__(self, proj_dim=8, **kwargs):
        super().__init__(**kwargs)
        self.proj_dim = proj_dim
        self.backbone = keras.Sequential([
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(16, activation="relu"),
        ])

    def call(self, x, training=False):
        h = self.backbone(x, training=training)
        h = keras.layers.ReLU()(h)
        z = keras.layers.Dense(self.proj_dim)(h)
        return tf.math.l2_normalize(z, axis=-1)


model = Encoder()
model.compile(optimizer="adam", loss="mse")
x = np.random.randn(32, 10).astype("float32")
model.fit(x, np.random.randn(32, 8).astype("float32"), epochs=1, batch_size=16, verbose=0)
RESULT = ["ok"]
