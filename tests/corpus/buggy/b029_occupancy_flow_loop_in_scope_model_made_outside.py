# gradls-fixture: tf-verdict=raises:RuntimeError
# gradls-expect: TFG029@29
# source: https://github.com/waymo-research/waymo-open-dataset/issues/444
# Occupancy flow tutorial moved to a distribution strategy: model and optimizer made as in the single-device
# tutorial, only the training loop wrapped in `with strategy.scope():`.
import numpy as np
import tensorflow as tf

strategy = tf.distribute.MirroredStrategy()

inputs = tf.keras.Input((8, 8, 3))
x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
model = tf.keras.Model(inputs, tf.keras.layers.Conv2D(2, 1)(x))
optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)

ds = tf.data.Dataset.from_tensor_slices(
    (np.random.rand(16, 8, 8, 3).astype("float32"), np.random.rand(16, 8, 8, 2).astype("float32"))
).batch(4).repeat()
it = iter(ds)


@tf.function
def train_step(batch):
    grids, targets = batch
    with tf.GradientTape() as tape:
        pred = model(grids, training=True)
        loss_value = tf.reduce_mean(tf.square(pred - targets))
    grads = tape.gradient(loss_value, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    return loss_value


num_steps_to_train = 3
step = 0
with strategy.scope():
    while step < num_steps_to_train:
        batch = next(it)
        loss_value = train_step(batch)
        step += 1
print("ran", float(loss_value))
