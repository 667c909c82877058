# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/45234 (corrected)
# The first jacobian is taken under an outer tape (nested tapes), so the outer one differentiates it.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(8, activation="tanh"), tf.keras.layers.Dense(3)])
x = tf.constant(np.random.rand(4, 2).astype("float32"))

with tf.GradientTape() as outer:
    outer.watch(x)
    with tf.GradientTape() as inner:
        inner.watch(x)
        y = model(x)
    grads = inner.batch_jacobian(y, x)
hessian = outer.batch_jacobian(grads, x)
RESULT = gradient_status([hessian])
