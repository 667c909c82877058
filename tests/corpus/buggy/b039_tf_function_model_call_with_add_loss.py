# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG039@18
# source: https://github.com/tensorflow/tensorflow/issues/34556
# `@tf.function` on a subclassed model's `call`, which also adds an input-dependent loss. Under TF 2.21 / Keras 3
# the Dense sublayer creates its weights inside that function's first trace and no tape sees them: `fit` raises
# ValueError: No gradients provided for any variable (the reporter's TF 2.0 failed on the `add_loss` first).
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers


class MyModel(tf.keras.Model):
    def __init__(self, num_classes):
        super().__init__()
        self.num_classes = num_classes
        self.dense = layers.Dense(num_classes, activation="sigmoid")

    @tf.function
    def call(self, inputs):
        self.add_loss(tf.reduce_sum(inputs))
        return self.dense(inputs)


model = MyModel(3)
model.compile(optimizer="sgd", loss="binary_crossentropy")
x = np.random.rand(16, 4).astype("float32")
y = np.random.randint(0, 2, (16, 3)).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
RESULT = "ok"
