# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG021@29
# source: modelled on tf.distribute custom training loop usage (MirroredStrategy, strategy.run in a tf.function)
# The Keras optimizer is constructed inside step_fn, which strategy.run calls while train_step is traced: its
# variables are made on the first trace and TF 2.21 raises `ValueError: tf.function only supports singleton
# tf.Variables created on the first call`.
import tensorflow as tf
from tensorflow import keras

strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
with strategy.scope():
    model = keras.Sequential([keras.layers.Dense(32, activation="relu"), keras.layers.Dense(1)])
    model.build((None, 8))
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
    optimizer = keras.optimizers.SGD(0.01)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    return loss


@tf.function
def train_step(inputs):
    per_replica = strategy.run(step_fn, args=(inputs,))
    return strategy.reduce(tf.distribute.ReduceOp.SUM, per_replica, axis=None)


for epoch in range(2):
    for batch in ds:
        loss = train_step(batch)
    print(epoch, float(loss))
