# gradls-fixture: tf-verdict=raises:ValueError
# gradls-expect: TFG016@31
# source: https://github.com/spdj2271/DEKM/issues/9
# DEKM's clustering loop watches model.trainable_variables of a Keras 3 functional model: ValueError
# (the maintainer's answer: remove the line, the tape records the variables the model reads).
import numpy as np
import tensorflow as tf
from tensorflow.keras import layers, losses
from tensorflow.keras.models import Model

hidden_units = 4


def model_conv():
    input = layers.Input(shape=(8, 8, 1))
    x = layers.Conv2D(4, kernel_size=3, strides=2, padding="same", activation="relu")(input)
    x = layers.Flatten()(x)
    h = layers.Dense(units=hidden_units, name="embed")(x)
    x = layers.Dense(64, activation="relu")(h)
    output = layers.Concatenate()([h, x])
    return Model(inputs=input, outputs=output)


x = np.random.rand(32, 8, 8, 1).astype("float32")
model = model_conv()
optimizer = tf.keras.optimizers.Adam()
V = np.eye(hidden_units, dtype="float32")
y_true = np.random.rand(32, hidden_units).astype("float32")
for ite in range(3):
    with tf.GradientTape() as tape:
        tape.watch(model.trainable_variables)
        y_pred = model(x)
        y_pred_cluster = tf.matmul(y_pred[:, :hidden_units], V)
        loss_value = losses.mse(y_true, y_pred_cluster)
    grads = tape.gradient(loss_value, model.trainable_variables)
    optimizer.apply_gradients(zip(grads, model.trainable_variables))
print("OK")
