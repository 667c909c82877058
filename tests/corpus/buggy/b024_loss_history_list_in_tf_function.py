# gradls-fixture: tf-verdict=raises:AttributeError
# gradls-expect: TFG024@25
# A custom training loop that records the loss of every step for a plot by appending to a Python list inside the
# @tf.function step. The append runs once, while the step is traced, and stores the trace's symbolic tensor: the
# list has one entry after 40 steps, and reading its value after training raises AttributeError.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
np.random.seed(0)
model = tf.keras.Sequential(
    [tf.keras.Input((4,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)]
)
optimizer = tf.keras.optimizers.Adam(1e-2)
loss_history = []


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    loss_history.append(loss)
    return grads


x_train = np.random.rand(160, 4).astype("float32")
y_train = x_train.sum(axis=1, keepdims=True)
dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(16)
for epoch in range(4):
    for x, y in dataset:
        grads = train_step(x, y)

curve = [float(loss.numpy()) for loss in loss_history]
RESULT = gradient_status(grads)
