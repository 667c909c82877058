# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG014@16
# source: https://errorhandle.ai/why-would-you-add-a-variable-to-the-trainable-weights-list-of-a-layer
# The answer's advice, followed in Keras 3: a custom layer registers an extra trainable scale, a tf.Variable, by
# appending it to the layer's `_trainable_weights` list; the model is trained with compile + fit.
import numpy as np
import tensorflow as tf
from tensorflow import keras


class ScaledDense(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.dense = keras.layers.Dense(units)
        self.scale = tf.Variable(1.0, name="scale")
        self._trainable_weights.append(self.scale)

    def call(self, x):
        return self.scale * self.dense(x)


layer = ScaledDense(1)
model = keras.Sequential([keras.Input((4,)), layer])
model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
x = np.random.rand(64, 4).astype("float32")
y = 3.0 * x.sum(axis=1, keepdims=True)
before = layer.scale.numpy()
model.fit(x, y, epochs=2, verbose=0)
RESULT = gradient_status([layer.scale.numpy() - before])
