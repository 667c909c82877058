# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/waymo-research/waymo-open-dataset/issues/444 (corrected as tensorflow#55713 advises:
# model and optimizer made under strategy.scope(), the step run by strategy.run)
import numpy as np
import tensorflow as tf

strategy = tf.distribute.MirroredStrategy()

with strategy.scope():
    inputs = tf.keras.Input((8, 8, 3))
    x = tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
    model = tf.keras.Model(inputs, tf.keras.layers.Conv2D(2, 1)(x))
    optimizer = tf.keras.optimizers.Adam(learning_rate=1e-3)

ds = tf.data.Dataset.from_tensor_slices(
    (np.random.rand(16, 8, 8, 3).astype("float32"), np.random.rand(16, 8, 8, 2).astype("float32"))
).batch(4).repeat()
it = iter(strategy.experimental_distribute_dataset(ds))


def train_step(batch):
    grids, targets = batch
    with tf.GradientTape() as tape:
        pred = model(grids, training=True)
        loss_value = tf.reduce_mean(tf.square(pred - targets))
    grads = tape.gradient(loss_value, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    return loss_value


@tf.function
def distributed_step(batch):
    return strategy.run(train_step, args=(batch,))


before = model.get_weights()[0].copy()
for _ in range(3):
    loss_value = distributed_step(next(it))
assert not np.allclose(before, model.get_weights()[0])
print("trained", float(strategy.reduce(tf.distribute.ReduceOp.MEAN, loss_value, axis=None)))
RESULT = ["ok"]  # weights changed, checked above
