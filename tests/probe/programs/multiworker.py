"""A custom training loop under MultiWorkerMirroredStrategy, run as one worker of a cluster that
TF_CONFIG describes: each worker is its own `python multiworker.py OUT` with its own TF_CONFIG,
as on several machines. argv[1]: where the completed steps go."""

import sys

import keras
import tensorflow as tf

strategy = tf.distribute.MultiWorkerMirroredStrategy()  # reads TF_CONFIG; waits for every worker
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
