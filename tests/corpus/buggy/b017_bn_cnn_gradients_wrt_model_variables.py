# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG017@31
# A small CNN with BatchNormalization trained in a custom loop that differentiates w.r.t. model.variables:
# moving_mean / moving_variance get None (the optimizer only warns "Gradients do not exist" each step).
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

model = keras.Sequential([
    keras.Input((16, 16, 3)),
    keras.layers.Conv2D(8, 3, padding="same", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.ReLU(),
    keras.layers.GlobalAveragePooling2D(),
    keras.layers.Dense(4),
])
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)

images = np.random.rand(32, 16, 16, 3).astype("float32")
labels = np.random.randint(0, 4, size=(32,))
dataset = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(32).batch(16)

grad_norm_log = []
for x_batch, y_batch in dataset:
    with tf.GradientTape() as tape:
        logits = model(x_batch, training=True)
        loss = loss_fn(y_batch, logits)
    params = model.variables
    grads = tape.gradient(loss, params)
    grads, global_norm = tf.clip_by_global_norm(grads, 5.0)
    optimizer.apply_gradients(zip(grads, params))
    grad_norm_log.append(float(global_norm))

RESULT = gradient_status(grads)
