# gradls-fixture: tf-verdict=ok
# gradls-expect:
# The same loss curve done right: the @tf.function step returns the loss, the eager loop appends its value, and
# tf.print reports it from inside the step on every 10th step. Trace-time logging of Python values (the input
# shape) stays a plain print: it is meant to run once per trace.
import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
np.random.seed(0)
model = tf.keras.Sequential(
    [tf.keras.Input((4,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1)]
)
optimizer = tf.keras.optimizers.Adam(1e-2)
step = tf.Variable(0, trainable=False)


@tf.function
def train_step(x, y):
    print("tracing train_step for", x.shape)
    with tf.GradientTape() as tape:
        pred = model(x, training=True)
        loss = tf.reduce_mean(tf.square(pred - y))
    grads = tape.gradient(loss, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
    step.assign_add(1)
    if step % 10 == 0:
        tf.print("step", step, "loss", loss)
    return loss, grads


x_train = np.random.rand(160, 4).astype("float32")
y_train = x_train.sum(axis=1, keepdims=True)
dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train)).batch(16)
loss_history = []
for epoch in range(4):
    for x, y in dataset:
        loss, grads = train_step(x, y)
        loss_history.append(float(loss))

assert len(loss_history) == 40 and int(step) == 40
RESULT = gradient_status(grads)
