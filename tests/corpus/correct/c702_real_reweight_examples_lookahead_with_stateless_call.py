# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/uber-research/learning-to-reweight-examples/issues/10 (corrected)
# The look-ahead step is written as tensors (theta - lr * grad) and the model is run on them with
# stateless_call, so the validation loss is a function of epsilon through the updated weights.
import numpy as np
import tensorflow as tf

batch_size = 16
lr = 0.1
model = tf.keras.Sequential(
    [tf.keras.Input(shape=(6,)), tf.keras.layers.Dense(8, activation="relu"), tf.keras.layers.Dense(1, activation="sigmoid")]
)
Xf = np.random.rand(batch_size, 6).astype("float32")
yf = np.random.randint(0, 2, (batch_size, 1)).astype("float32")
Xg = np.random.rand(batch_size, 6).astype("float32")
yg = np.random.randint(0, 2, (batch_size, 1)).astype("float32")

epsilon = tf.Variable([0.0 for i in range(batch_size)], dtype=tf.float32)
bce = tf.keras.losses.BinaryCrossentropy(reduction="none")
with tf.GradientTape() as outer:
    with tf.GradientTape() as inner:
        yf_hat = model(Xf)
        Lf = tf.reduce_sum(bce(yf, yf_hat) * epsilon)
    delta_theta = inner.gradient(Lf, model.trainable_variables)
    new_vars = [v - lr * g for v, g in zip(model.trainable_variables, delta_theta)]
    yg_hat, _ = model.stateless_call(new_vars, [], Xg)
    Lg = tf.reduce_mean(bce(yg, yg_hat))
delta_epsilon = outer.gradient(Lg, epsilon)
RESULT = gradient_status([delta_epsilon])
