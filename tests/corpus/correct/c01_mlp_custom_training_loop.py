# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Custom training loop with GradientTape (the "writing a training loop from scratch" tutorial style).
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([
    keras.Input(shape=(8,)),
    keras.layers.Dense(16, activation="relu"),
    keras.layers.Dense(3),
])
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

x_train = np.random.randn(32, 8).astype("float32")
y_train = np.random.randint(0, 3, size=(32,))
dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(16)

history = []
for step, (x_batch, y_batch) in enumerate(dataset):
    with tf.GradientTape() as tape:
        logits = model(x_batch, training=True)
        loss_value = loss_fn(y_batch, logits)
    grads = tape.gradient(loss_value, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    history.append(float(loss_value))  # logging after the step

RESULT = gradient_status(grads)
