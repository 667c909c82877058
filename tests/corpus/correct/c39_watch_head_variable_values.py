# gradls-fixture: tf-verdict=ok
# gradls-expect:
# Fine-tuning only the classifier head with watch_accessed_variables=False: the tape watches the tf.Variable
# behind each Keras variable (v.value), and the gradients are taken w.r.t. the Keras variables as usual.
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
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch([w.value for w in head.trainable_variables])
        tape.watch(x)  # a plain tensor: fine to watch (input saliency is logged below)
        logits = model(x, training=True)
        loss = loss_fn(y, logits)
    grads = tape.gradient(loss, head.trainable_variables)
    optimizer.apply_gradients(zip(grads, head.trainable_variables))
    return grads


for x_batch, y_batch in dataset:
    grads = finetune_step(x_batch, y_batch)
RESULT = gradient_status(grads)
