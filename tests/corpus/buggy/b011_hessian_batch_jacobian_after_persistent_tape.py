# gradls-fixture: tf-verdict=zero-gradient
# gradls-expect: TFG011@16
# source: https://github.com/tensorflow/tensorflow/issues/45234
# Hessian of a model's output w.r.t. its input: the first batch_jacobian is taken after the persistent tape's
# with block, so the tape never records it: the second batch_jacobian is all zeros (TF 2.21; the report saw the same).
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="tanh"), tf.keras.layers.Dense(3)])
x = tf.constant(np.random.rand(4, 2).astype("float32"))

with tf.GradientTape(persistent=True) as tape:
    tape.watch(x)
    y = model(x)
grads = tape.batch_jacobian(y, x)
hessian = tape.batch_jacobian(grads, x)
RESULT = gradient_status([hessian])
