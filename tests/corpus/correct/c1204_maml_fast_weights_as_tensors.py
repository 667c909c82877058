# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: modelled on meta-learning usage (MAML on sine regression)
# The adapted weights are tensors `p - lr * g` used by a functional forward pass (no assign, no model copy): the
# meta-gradient reaches every meta-parameter.
import numpy as np
import tensorflow as tf

W1 = tf.Variable(tf.random.normal((1, 40), stddev=0.5))
b1 = tf.Variable(tf.zeros((40,)))
W2 = tf.Variable(tf.random.normal((40, 1), stddev=0.5))
b2 = tf.Variable(tf.zeros((1,)))
params = [W1, b1, W2, b2]
opt = tf.keras.optimizers.Adam(1e-3)


def forward(x, p):
    return tf.nn.relu(x @ p[0] + p[1]) @ p[2] + p[3]


for meta_step in range(3):
    with tf.GradientTape() as outer:
        meta_loss = 0.0
        for _ in range(3):
            amp = np.random.uniform(0.5, 3.0)
            x = np.random.uniform(-5, 5, (20, 1)).astype("float32")
            y = (amp * np.sin(x)).astype("float32")
            with tf.GradientTape() as inner:
                inner_loss = tf.reduce_mean(tf.square(forward(x[:10], params) - y[:10]))
            g = inner.gradient(inner_loss, params)
            fast = [p - 0.01 * gi for p, gi in zip(params, g)]
            meta_loss += tf.reduce_mean(tf.square(forward(x[10:], fast) - y[10:]))
    grads = outer.gradient(meta_loss, params)
    opt.apply_gradients(zip(grads, params))
    print(meta_step, float(meta_loss))
RESULT = gradient_status(grads)
