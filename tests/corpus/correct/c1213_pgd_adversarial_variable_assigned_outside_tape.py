# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on adversarial-examples usage (PGD)
# The adversarial input stays a tf.Variable updated with assign after each tape: it is watched at every step.
import numpy as np
import tensorflow as tf

model = tf.keras.Sequential([tf.keras.Input((8,)), tf.keras.layers.Dense(4)])
loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
x = np.random.rand(16, 8).astype("float32")
y = np.random.randint(0, 4, 16)
x_adv = tf.Variable(x)
for i in range(3):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x_adv))
    g = tape.gradient(loss, x_adv)
    x_adv.assign(tf.clip_by_value(x_adv + 0.01 * tf.sign(g), x - 0.1, x + 0.1))
RESULT = gradient_status([g])
