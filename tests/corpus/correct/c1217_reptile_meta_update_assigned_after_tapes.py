# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on meta-learning usage (Reptile)
# The meta-update assigns interpolated weights after the inner tapes, outside any tape: every inner step has
# its gradients.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(16, activation="relu"), tf.keras.layers.Dense(1)])
inner_opt = tf.keras.optimizers.SGD(0.02)
for outer in range(2):
    start = [tf.identity(w) for w in model.trainable_variables]
    x = np.random.uniform(-3, 3, (16, 1)).astype("float32")
    y = (np.random.uniform(0.5, 2) * np.sin(x)).astype("float32")
    for k in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        inner_opt.apply_gradients(zip(grads, model.trainable_variables))
    for w, w0 in zip(model.trainable_variables, start):
        w.assign(w0 + 0.5 * (w - w0))
RESULT = gradient_status(grads)
