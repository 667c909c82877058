# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG016@35
# Fine-tuning only the classifier head: the tape is told not to watch everything and is handed the head's
# weights.  Those are Keras 3 Variables, which GradientTape.watch rejects.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

backbone = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.MaxPooling2D(),
    keras.layers.Conv2D(16, 3, activation="relu"),
    keras.layers.GlobalAveragePooling2D(),
], name="backbone")
head = keras.Sequential([keras.Input((16,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(10)], name="head")

inputs = keras.Input((28, 28, 1))
model = keras.Model(inputs, head(backbone(inputs)))

loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.Adam(1e-3)

images = np.random.rand(64, 28, 28, 1).astype("float32")
labels = np.random.randint(0, 10, size=(64,))
dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(32)


@tf.function
def finetune_step(x, y):
    # Only the head should be differentiated: skip recording the backbone's weights.
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(head.trainable_variables)  # BUG
        logits = model(x, training=True)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, head.trainable_variables)
    optimizer.apply_gradients(zip(grads, head.trainable_variables))
    return grads


for x_batch, y_batch in dataset:
    grads = finetune_step(x_batch, y_batch)
RESULT = gradient_status(grads)
