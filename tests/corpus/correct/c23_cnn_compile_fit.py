# gradls-fixture: tf-verdict=ok
# gradls-expect:
# A small CNN with batch norm trained with compile()/fit(), then evaluated with argmax predictions.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([
    keras.Input((8, 8, 1)),
    keras.layers.Conv2D(4, 3, padding="same"),
    keras.layers.BatchNormalization(),
    keras.layers.ReLU(),
    keras.layers.MaxPooling2D(),
    keras.layers.Flatten(),
    keras.layers.Dense(3),
])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
x = np.random.rand(16, 8, 8, 1).astype("float32")
y = np.random.randint(0, 3, size=16)
model.fit(x, y, epochs=1, batch_size=8, verbose=0)
predicted = np.argmax(model.predict(x, verbose=0), axis=1)

with tf.GradientTape() as tape:
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, model(x, training=True))
RESULT = gradient_status(tape.gradient(loss, model.trainable_variables))
