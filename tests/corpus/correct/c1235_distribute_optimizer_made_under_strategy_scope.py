# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: the corrected form of b021_distribute_optimizer_made_in_replica_step_fn: the optimizer is made once
# under strategy.scope(); step_fn, run by strategy.run in the tf.function, only applies gradients.
import tensorflow as tf
from tensorflow import keras

strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
with strategy.scope():
    model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
    model.build((None, 8))
    optimizer = keras.optimizers.SGD(0.01)
loss_obj = keras.losses.MeanSquaredError(reduction="none")
GLOBAL_BATCH = 32

x = tf.random.normal((256, 8))
y = tf.reduce_sum(x, 1, keepdims=True)
ds = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensor_slices((x, y)).batch(GLOBAL_BATCH))


def step_fn(inputs):
    xb, yb = inputs
    with tf.GradientTape() as tape:
        pred = model(xb, training=True)
        per_example = loss_obj(yb, pred)
        loss = tf.nn.compute_average_loss(per_example, global_batch_size=GLOBAL_BATCH)
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


@tf.function
def train_step(inputs):
    per_replica = strategy.run(step_fn, args=(inputs,))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)


before = [w.numpy().copy() for w in model.trainable_variables]
for epoch in range(2):
    for batch in ds:
        loss = train_step(batch)
    print(epoch, float(loss))
RESULT = gradient_status([w.numpy() - b for w, b in zip(model.trainable_variables, before)])
