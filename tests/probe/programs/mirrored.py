"""A custom training loop under MirroredStrategy on 2 logical CPUs, in a tf.function: each
replica's gradients are reported with its replica index. argv[1]: where the completed steps go."""

import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402

strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    optimizer = keras.optimizers.SGD(0.01)
data = strategy.experimental_distribute_dataset(
    tf.data.Dataset.from_tensor_slices((tf.ones((400, 3)), tf.ones((400, 1)))).batch(8).repeat()
)


@tf.function
def train_step(batch):
    def replica_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(x) - y) ** 2)
        grads = tape.gradient(loss, model.trainable_variables)  # CASE: replica grad
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    strategy.run(replica_step, args=batch)


completed = 0
try:
    for batch in data:
        train_step(batch)
        completed += 1
        if completed == 200:
            break
finally:
    with open(sys.argv[1], "w") as fh:
        fh.write("%d\n" % completed)
