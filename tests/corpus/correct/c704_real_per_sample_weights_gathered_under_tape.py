# gradls-fixture: tf-verdict=ok
# gradls-expect:
# source: https://github.com/tensorflow/tensorflow/issues/19556 (corrected)
# Only the index travels through tf.data; the weight is gathered inside the tape.
import numpy as np
import tensorflow as tf

n = 64
x_all = np.random.rand(n, 3).astype("float32")
y_all = np.random.rand(n).astype("float32")
sample_weights = tf.Variable(tf.ones([n]), name="sample_weights")
beta = tf.Variable(tf.zeros([3]), name="beta")
optimizer = tf.keras.optimizers.SGD(0.01)

dataset = tf.data.Dataset.from_tensor_slices((x_all, y_all, tf.range(n))).batch(16)

for x, y, i in dataset:
    with tf.GradientTape() as tape:
        w = tf.gather(sample_weights, i)
        pred = tf.linalg.matvec(x, beta)
        loss = tf.reduce_mean(w * tf.square(y - pred))
    grads = tape.gradient(loss, [sample_weights])
    optimizer.apply_gradients(zip(grads, [sample_weights]))
RESULT = gradient_status(grads)
