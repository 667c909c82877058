# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/34556 (corrected: `call` is not decorated; `fit`
# traces it inside its own training function, and the input-dependent `add_loss` joins the compiled loss)
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers


class MyModel(tf.keras.Model):
    def __init__(self, num_classes):
        super().__init__()
        self.num_classes = num_classes
        self.dense = layers.Dense(num_classes, activation="sigmoid")

    def call(self, inputs):
        self.add_loss(tf.reduce_sum(inputs))
        return self.dense(inputs)


model = MyModel(3)
model.compile(optimizer="sgd", loss="binary_crossentropy")
x = np.random.rand(16, 4).astype("float32")
y = np.random.randint(0, 2, (16, 3)).astype("float32")
model.fit(x, y, epochs=1, verbose=0)
with tf.GradientTape() as tape:
    loss = tf.reduce_sum(model(x))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
