# gradls-fixture: tf-verdict=none-gradient
# gradls-expect: TFG017@34
# Debugging a transfer-learning model (frozen feature extractor with BatchNormalization): the gradients are
# taken w.r.t. model.weights, all weights including BN statistics, instead of model.trainable_weights.
import numpy as np
import tensorflow as tf
from tensorflow import keras

keras.utils.set_random_seed(0)

feature_extractor = keras.Sequential([
    keras.Input((32, 32, 3)),
    keras.layers.Conv2D(8, 3, activation="relu"),
    keras.layers.BatchNormalization(),
    keras.layers.GlobalAveragePooling2D(),
], name="features")
feature_extractor.trainable = False

inputs = keras.Input((32, 32, 3))
outputs = keras.layers.Dense(2)(feature_extractor(inputs, training=False))
model = keras.Model(inputs, outputs)
optimizer = keras.optimizers.Adam(1e-3)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

x = np.random.rand(16, 32, 32, 3).astype("float32")
y = np.random.randint(0, 2, size=(16,))


@tf.function
def compute_gradients(images, labels):  # to log per-layer gradient norms while debugging
    with tf.GradientTape() as tape:
        logits = model(images, training=True)
        loss = loss_fn(labels, logits)
    grads = tape.gradient(loss, model.weights)
    return grads


grads = compute_gradients(x, y)
for var, g in zip(model.weights, grads):
    print(var.path, None if g is None else float(tf.norm(g)))
RESULT = gradient_status(grads)
